// Command demoapp builds the demo pipelines of package demo on the server
// at KURENTO_URL (or its first argument), prints their ids and keeps its
// session open until interrupted, so the kurento tool has something to
// show:
//
//	go run ./cmd/kurento/internal/demoapp ws://127.0.0.1:8888/kurento
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gokurento/kurento/client"
	"github.com/gokurento/kurento/cmd/kurento/internal/demo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "demoapp:", err)
		stop()
		os.Exit(1) //nolint:gocritic // stop already ran
	}
}

func run(ctx context.Context) error {
	url := os.Getenv("KURENTO_URL")
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if url == "" {
		url = "ws://127.0.0.1:8888/kurento"
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := client.Dial(dctx, url)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }() //nolint:contextcheck // Close bounds its own wait; ctx may already be done here
	d, err := demo.Build(dctx, c)
	if err != nil {
		return err
	}
	fmt.Println("session", c.SessionID())
	for _, p := range []interface{ ID() string }{d.Unnamed, d.RoomA, d.RoomB, d.Alice, d.Player} {
		fmt.Println(p.ID())
	}
	<-ctx.Done()
	return nil
}
