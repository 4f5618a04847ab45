// An Ollama-shaped upstream that answers at once, so a proxy benchmark measures the proxy and not
// inference. Answers /api/generate (stream:false → one JSON document; otherwise 5 NDJSON lines) and
// /api/chat (the same, chat-shaped) and /api/tags; everything else 404. Usage: instant-upstream -addr 127.0.0.1:PORT
package main

import (
	"bytes"
	"flag"
	"io"
	"log"
	"net/http"
)

var single = []byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","response":"Hello there, friend.","done":true,"done_reason":"stop","total_duration":1200000,"load_duration":100000,"prompt_eval_count":5,"prompt_eval_duration":200000,"eval_count":5,"eval_duration":800000}` + "\n")

var lines = [][]byte{
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","response":"Hello","done":false}` + "\n"),
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","response":" there","done":false}` + "\n"),
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","response":",","done":false}` + "\n"),
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","response":" friend.","done":false}` + "\n"),
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","response":"","done":true,"done_reason":"stop","total_duration":1200000,"load_duration":100000,"prompt_eval_count":5,"prompt_eval_duration":200000,"eval_count":4,"eval_duration":800000}` + "\n"),
}

var chatSingle = []byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hello there, friend."},"done":true,"done_reason":"stop","total_duration":1200000,"load_duration":100000,"prompt_eval_count":5,"prompt_eval_duration":200000,"eval_count":5,"eval_duration":800000}` + "\n")

var chatLines = [][]byte{
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hello"},"done":false}` + "\n"),
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":" there"},"done":false}` + "\n"),
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":","},"done":false}` + "\n"),
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":" friend."},"done":false}` + "\n"),
	[]byte(`{"model":"tiny","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1200000,"load_duration":100000,"prompt_eval_count":5,"prompt_eval_duration":200000,"eval_count":4,"eval_duration":800000}` + "\n"),
}

// answer writes one JSON document for stream:false, otherwise the NDJSON lines, flushed one by one.
func answer(w http.ResponseWriter, r *http.Request, one []byte, many [][]byte) {
	body, _ := io.ReadAll(r.Body)
	if bytes.Contains(body, []byte(`"stream":false`)) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(one)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	f, _ := w.(http.Flusher)
	for _, l := range many {
		w.Write(l)
		if f != nil {
			f.Flush()
		}
	}
}

var tags = []byte(`{"models":[{"name":"tiny:latest","model":"tiny:latest","size":115000,"digest":"0","details":{"format":"gguf","family":"llama"}}]}`)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/generate", func(w http.ResponseWriter, r *http.Request) { answer(w, r, single, lines) })
	mux.HandleFunc("/api/chat", func(w http.ResponseWriter, r *http.Request) { answer(w, r, chatSingle, chatLines) })
	mux.HandleFunc("/api/tags", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(tags)
	})
	mux.HandleFunc("/api/version", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(`{"version":"0.0.0"}`))
	})
	mux.HandleFunc("/api/ps", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte(`{"models":[]}`))
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
