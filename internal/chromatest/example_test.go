package chromatest_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/internal/chromatest/chroma"
	"github.com/gokurento/kurento/kurentotest"
	"github.com/gokurento/kurento/pipeline"
)

// Example is the README's "Custom modules" example, run against the fake
// taught the module.
func Example() {
	kmd, err := os.ReadFile("chroma.kmd.json")
	if err != nil {
		panic(err)
	}
	srv, err := kurentotest.Start(kurentotest.WithModule(kmd))
	if err != nil {
		panic(err)
	}
	defer func() { _ = srv.Close() }()
	ctx := context.Background()

	c, err := client.Dial(ctx, srv.URL(), client.WithModule(chroma.Module()))
	if err != nil {
		panic(err)
	}
	defer func() { _ = c.Close() }()
	p, err := pipeline.NewMediaPipeline(ctx, c, nil)
	if err != nil {
		panic(err)
	}
	f, err := chroma.NewChromaFilter(ctx, p, chroma.WindowParam{Width: 100, Height: 100}, nil)
	if err != nil {
		panic(err)
	}
	sink, err := chroma.NewChromaFilter(ctx, p, chroma.WindowParam{Width: 100, Height: 100}, nil)
	if err != nil {
		panic(err)
	}
	errs, err := f.OnError(ctx) // inherited from MediaObject
	if err != nil {
		panic(err)
	}
	_ = errs
	if err := f.SetBackground(ctx, "/srv/bg.png"); err != nil { // the module's own method
		panic(err)
	}
	if err := f.Connect(ctx, sink, nil); err != nil { // inherited from MediaElement
		panic(err)
	}
	h, err := c.Lookup(ctx, f.ID())
	if err != nil {
		panic(err)
	}
	fmt.Printf("%T\n", h)
	// Output: *chroma.ChromaFilter
}
