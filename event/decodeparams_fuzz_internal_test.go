package event

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// referenceDecode is DecodeParams done by encoding/json alone.
func referenceDecode(params []byte) (Event, error) {
	r, err := parseParamsJSON(params)
	if err != nil {
		return nil, err
	}
	ev, ok, err := decodeKnown(r)
	if !ok {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	return ev, nil
}

func seedParams(f *testing.F) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.onevent.jsonl"))
	if err != nil || len(paths) == 0 {
		f.Fatal("no seed frames", err)
	}
	for _, p := range paths {
		file, err := os.Open(p)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var n struct {
				Params json.RawMessage `json:"params"`
			}
			if err := json.Unmarshal(sc.Bytes(), &n); err != nil {
				f.Fatal(err)
			}
			f.Add([]byte(n.Params))
		}
		_ = file.Close()
	}
	for _, s := range []string{
		`{"value":{"data":{},"object":"o","type":"Error"}}`,
		`{"value":{"data":{"a":1},"object":"x","type":"y","data":{"b":2},"object":"o","type":"Error"}}`,
		`{"value":{"data":{"errorCode":"x"},"object":"o","type":"Error"}}`,
		`{"value":{"data":{"timestampMillis":"1\u0032"},"object":"o","type":"Error"}}`,
		`{"value":{"data":{} ,"object":"o","type":"Custom"}}`,
		`{"value":{"data":{"x":[}},"object":"o","type":"Custom"}}`,
		`{"value":{"data":{},"object":"o\"","type":"Error"}}`,
		`{"value":{"data":{},"object":"o","type":"Err\u006fr"}}`,
		`{"VALUE":{"data":{},"object":"o","type":"Error"}}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecodeParamsDifferential checks the KMS-layout path of DecodeParams
// and ParseParams against encoding/json on the same input: the same value
// and the same success, whatever the bytes.
func FuzzDecodeParamsDifferential(f *testing.F) {
	seedParams(f)
	f.Fuzz(func(t *testing.T, params []byte) {
		got, gotErr := DecodeParams(params)
		want, wantErr := referenceDecode(params)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("DecodeParams error %v, encoding/json %v, for %q", gotErr, wantErr, params)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeParams %#v, encoding/json %#v, for %q", got, want, params)
		}
		gr, gErr := ParseParams(params)
		wr, wErr := parseParamsJSON(params)
		if (gErr == nil) != (wErr == nil) || !reflect.DeepEqual(gr, wr) {
			t.Fatalf("ParseParams %#v/%v, encoding/json %#v/%v, for %q", gr, gErr, wr, wErr, params)
		}
	})
}

// BenchmarkDecodeParams compares DecodeParams with the encoding/json path
// on a real IceCandidateFound: the KMS-layout split must pay for itself.
func BenchmarkDecodeParams(b *testing.B) {
	params := []byte(`{"value":{"data":{"candidate":{"__module__":"kurento","__type__":"IceCandidate","candidate":"candidate:1 1 UDP 2015363327 192.0.2.2 5540 typ host","sdpMLineIndex":0,"sdpMid":"0"},"source":"95a6279d-2adc-4444-8af1-29372a2e535c_kurento.MediaPipeline/1bd9c59e-136d-4e26-a6bf-21b67d7590de_kurento.WebRtcEndpoint","tags":[],"timestampMillis":"1795255943238","type":"IceCandidateFound"},"object":"95a6279d-2adc-4444-8af1-29372a2e535c_kurento.MediaPipeline/1bd9c59e-136d-4e26-a6bf-21b67d7590de_kurento.WebRtcEndpoint","type":"IceCandidateFound"}}`)
	for _, bm := range []struct {
		name   string
		decode func([]byte) (Event, error)
	}{{"split", DecodeParams}, {"encoding_json", referenceDecode}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bm.decode(params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
