module github.com/gokurento/kurento

go 1.25.0

require (
	github.com/coder/websocket v1.8.14
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.20.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
