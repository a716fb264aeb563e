package kurentotest

import (
	"fmt"
	"net/url"
)

// This file holds what PlayerEndpoint and RecorderEndpoint share as
// UriEndpoints: their state property with UriEndpointStateChanged, and
// the files of their URIs when they carry real media. Each has its own
// behaviour: player.go, recorder.go.

// setURIState moves a UriEndpoint's state, with UriEndpointStateChanged;
// false when it was already there.
func (st *state) setURIState(o *object, state string) bool {
	if o.props["state"] == state {
		return false
	}
	o.props["state"] = state
	st.emit(o.id, "UriEndpointStateChanged", map[string]any{"state": state})
	return true
}

// mediaFile runs start on the file of o's URI; a URI that names no file
// the engine can use raises Error INVALID_URI, as a KMS that cannot open it.
func (st *state) mediaFile(o *object, start func(path string) error) {
	uri, _ := o.props["uri"].(string)
	path, err := filePath(uri)
	if err == nil {
		err = start(path)
	}
	if err != nil {
		st.emit(o.id, "Error", map[string]any{"description": "Invalid URI: " + err.Error(), "errorCode": 0, "type": "INVALID_URI"})
	}
}

func filePath(uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", err
	}
	if u.Scheme != "file" {
		return "", fmt.Errorf("only file:// URIs carry media in the fake, not %q", u.Scheme)
	}
	return u.Path, nil
}
