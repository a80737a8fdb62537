// Verify a ComptAppart webhook by hand in Go (standard library only).
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

const toleranceSeconds = 5 * 60

// VerifyWebhook returns the decoded event when the signature is valid.
// rawBody must be the exact bytes received, never a re-encoded struct.
func VerifyWebhook(rawBody []byte, header http.Header, secret string, now time.Time) (map[string]any, error) {
	id := header.Get("webhook-id")
	timestamp := header.Get("webhook-timestamp")
	signatures := header.Get("webhook-signature")
	if id == "" || timestamp == "" || signatures == "" {
		return nil, errors.New("missing webhook headers")
	}

	// Refuse old or future messages, so a captured request cannot be replayed later.
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || math.Abs(float64(now.Unix()-ts)) > toleranceSeconds {
		return nil, errors.New("timestamp outside tolerance")
	}

	// The key is the base64 part of "whsec_..."; the signed content is "id.timestamp.body".
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return nil, errors.New("bad secret")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(rawBody)
	expected := mac.Sum(nil)

	// One or more space-separated "v1,<base64>" entries (two during a secret rotation).
	for _, entry := range strings.Split(signatures, " ") {
		version, value, found := strings.Cut(entry, ",")
		if !found || version != "v1" {
			continue
		}
		received, err := base64.StdEncoding.DecodeString(value)
		if err == nil && hmac.Equal(received, expected) {
			var event map[string]any
			if err := json.Unmarshal(rawBody, &event); err != nil {
				return nil, err
			}
			return event, nil
		}
	}
	return nil, errors.New("no matching signature")
}

// In a net/http handler:
//
//	body, _ := io.ReadAll(r.Body)
//	event, err := VerifyWebhook(body, r.Header, os.Getenv("COMPTAPPART_WEBHOOK_SECRET"), time.Now())
//	if err != nil { http.Error(w, "invalid signature", http.StatusBadRequest); return }
//	enqueue(event, r.Header.Get("webhook-id")) // idempotent on webhook-id
//	w.WriteHeader(http.StatusNoContent)

// Command line (used by the docs' tests): body on stdin, headers and secret in the environment.
func main() {
	body, _ := io.ReadAll(os.Stdin)
	header := http.Header{}
	header.Set("webhook-id", os.Getenv("WEBHOOK_ID"))
	header.Set("webhook-timestamp", os.Getenv("WEBHOOK_TIMESTAMP"))
	header.Set("webhook-signature", os.Getenv("WEBHOOK_SIGNATURE"))
	event, err := VerifyWebhook(body, header, os.Getenv("WEBHOOK_SECRET"), time.Now())
	if err != nil {
		fmt.Println("rejected: " + err.Error())
		os.Exit(1)
	}
	fmt.Printf("verified %v\n", event["type"])
}
