module github.com/seed865a0254/websocket

go 1.26
