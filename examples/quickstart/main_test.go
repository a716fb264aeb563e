package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunAgainstEmbeddedFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := quickstart("", &stdout, &stderr); err != nil {
		t.Fatalf("quickstart: %v\nstderr:\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"connected to Kurento Media Server 7.3.0",
		"  v=0",
		"candidate mid=0 ",
		"candidate mid=1 ",
		"ICE gathering done: ",
		" candidates; pipeline released",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "embedded fake KMS") {
		t.Errorf("stderr does not say the fake is used:\n%s", stderr.String())
	}
}

func TestRunFailsClearlyWithoutServer(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := quickstart("ws://127.0.0.1:1/kurento", &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "dial ws://127.0.0.1:1/kurento") {
		t.Fatalf("quickstart = %v, want a dial error naming the URL", err)
	}
}
