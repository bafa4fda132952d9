package main

import (
	"net/http"
	"net/url"
)

// googleHosts are the hosts whose requests emulatorTransport sends to the emulator.
var googleHosts = map[string]bool{
	"oauth2.googleapis.com":         true,
	"www.googleapis.com":            true,
	"iamcredentials.googleapis.com": true,
	"openidconnect.googleapis.com":  true,
	"www.gstatic.com":               true,
}

// emulatorTransport sends requests for Google's hosts to GoogleOAuth2Emulator instead: same
// method, path, query, headers and body.
type emulatorTransport struct {
	emulator *url.URL
	base     http.RoundTripper
}

func (t emulatorTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if googleHosts[req.URL.Host] {
		req = req.Clone(req.Context())
		req.URL.Scheme = t.emulator.Scheme
		req.URL.Host = t.emulator.Host
		req.Host = ""
	}
	return t.base.RoundTrip(req)
}
