package element

import (
	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/types"
)

// Source is a [MediaElementHandle] in the role of the element that sends
// media; any media element handle is one.
type Source = MediaElementHandle

// Sink is a [MediaElementHandle] in the role of the element that receives
// media; any media element handle is one.
type Sink = MediaElementHandle

// Connection is one media connection between two elements, as
// returned by [MediaElement.GetSourceConnections] and
// [MediaElement.GetSinkConnections]: the ids of types.ElementConnectionData
// turned into handles of the static type MediaElement.
type Connection struct {
	Source            *MediaElement   // the element that sends the media
	Sink              *MediaElement   // the element that receives it
	Type              types.MediaType // the media type of the connection
	SourceDescription string          // media description on the source side
	SinkDescription   string          // media description on the sink side
}

// connectionsFrom builds handles for the ids in ds.
func connectionsFrom(c *client.Client, ds []types.ElementConnectionData) []Connection {
	if ds == nil {
		return nil
	}
	out := make([]Connection, 0, len(ds))
	for _, d := range ds {
		ec := Connection{Type: d.Type, SourceDescription: d.SourceDescription, SinkDescription: d.SinkDescription}
		if d.Source != "" {
			ec.Source = MediaElementFromObject(c.Object("MediaElement", d.Source))
		}
		if d.Sink != "" {
			ec.Sink = MediaElementFromObject(c.Object("MediaElement", d.Sink))
		}
		out = append(out, ec)
	}
	return out
}
