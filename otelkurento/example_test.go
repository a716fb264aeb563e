package otelkurento_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gokurento/kurento/otelkurento"
)

// Spans and metrics of a client go to stdout exporters. The spans are
// written as JSON to a buffer here so that the example can print a stable
// summary; pass os.Stdout (or nothing: it is the default) to see them whole.
func ExampleNew() {
	if err := tracedSession(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// kurento/create rpc.method=create kurento.object.class=MediaPipeline
	// kurento/invoke/setName rpc.method=invoke kurento.object.class=MediaPipeline
	// kurento/release rpc.method=release kurento.object.class=MediaPipeline
}

// tracedSession builds a pipeline through a client traced to stdout
// exporters and prints the spans' names and some attributes.
func tracedSession() error {
	srv, err := kurentotest.Start() // a fake KMS; use your server's URL instead
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()

	var spans bytes.Buffer
	traceExp, err := stdouttrace.New(stdouttrace.WithWriter(&spans))
	if err != nil {
		return err
	}
	metricExp, err := stdoutmetric.New(stdoutmetric.WithWriter(os.Stderr))
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(traceExp))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metricExp)))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	defer func() { _ = mp.Shutdown(context.Background()) }() // flushes the metrics to stderr

	tracer, err := otelkurento.New(otelkurento.WithTracerProvider(tp), otelkurento.WithMeterProvider(mp))
	if err != nil {
		return err
	}
	ctx := context.Background()
	c, err := client.Dial(ctx, srv.URL(), client.WithTracer(tracer))
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()

	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	if err != nil {
		return err
	}
	if err := p.SetName(ctx, "demo"); err != nil {
		return err
	}
	if err := p.Release(ctx); err != nil {
		return err
	}

	dec := json.NewDecoder(&spans)
	for dec.More() {
		var s struct {
			Name       string
			Attributes []struct {
				Key   string
				Value struct{ Value any }
			}
		}
		if err := dec.Decode(&s); err != nil {
			return err
		}
		fmt.Print(s.Name)
		for _, a := range s.Attributes {
			if a.Key == "rpc.method" || a.Key == "kurento.object.class" {
				fmt.Printf(" %s=%v", a.Key, a.Value.Value)
			}
		}
		fmt.Println()
	}
	return nil
}
