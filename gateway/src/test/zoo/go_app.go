// Zoo backend: Go's net/http server. Answers with each name in ZOO_NAMES as a Go application reads
// it, r.Header.Get("X-User-Id") (the first value), and the whole of r.Header.
// Usage: go build -o APP go_app.go && APP PORT
package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
)

func main() {
	names := strings.Split(os.Getenv("ZOO_NAMES"), ",")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		read := map[string]*string{}
		for _, n := range names {
			read[n] = nil
			if len(r.Header.Values(n)) > 0 {
				v := r.Header.Get(n)
				read[n] = &v
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"read": read, "seen": r.Header})
	})
	if err := http.ListenAndServe("127.0.0.1:"+os.Args[1], nil); err != nil {
		panic(err)
	}
}
