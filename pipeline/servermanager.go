package pipeline

import "github.com/gokurento/kurento/client"

// ServerManagerOf returns the handle of the ServerManager of the server c
// is connected to. Nothing is sent: the ServerManager has a fixed id and
// exists as long as the server runs.
func ServerManagerOf(c *client.Client) *ServerManager {
	return ServerManagerFromObject(c.ServerManager())
}
