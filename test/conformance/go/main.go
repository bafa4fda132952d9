// Command conformance runs Go's golang.org/x/oauth2/google against GoogleOAuth2Emulator: each
// flow of docs/emulator.md (Go). `conformance FLOW` prints the flow's result as JSON; an error
// prints {"error": TYPE, "message": TEXT} and exits 1. Run by
// test/e2e/conformance/go.e2e-spec.ts, which builds it in GOPATH mode on Debian's sources and
// sets EMULATOR_URL, KEY_FILE, SUBJECT and GCE_METADATA_HOST.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"golang.org/x/oauth2/jwt"
)

const (
	cloudPlatform = "https://www.googleapis.com/auth/cloud-platform"
	userinfoEmail = "https://www.googleapis.com/auth/userinfo.email"
)

// emulatorContext carries the HTTP client x/oauth2 uses: every request to Google's hosts goes
// to the emulator.
func emulatorContext() context.Context {
	emulator, err := url.Parse(os.Getenv("EMULATOR_URL"))
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: emulatorTransport{emulator, http.DefaultTransport}}
	return context.WithValue(context.Background(), oauth2.HTTPClient, client)
}

// jwtConfig reads the key file (its token_uri is Google's; the transport redirects it) for these
// scopes, acting as subject when not empty (domain-wide delegation).
func jwtConfig(subject string, scopes ...string) (*jwt.Config, error) {
	keyJSON, err := os.ReadFile(os.Getenv("KEY_FILE"))
	if err != nil {
		return nil, err
	}
	config, err := google.JWTConfigFromJSON(keyJSON, scopes...)
	if err != nil {
		return nil, err
	}
	config.Subject = subject
	return config, nil
}

// accessToken is a token for the key's account, or for subject when not empty.
func accessToken(ctx context.Context, subject string, scopes ...string) (interface{}, error) {
	config, err := jwtConfig(subject, scopes...)
	if err != nil {
		return nil, err
	}
	token, err := config.TokenSource(ctx).Token()
	if err != nil {
		return nil, err
	}
	return map[string]string{"token": token.AccessToken}, nil
}

func serviceAccountToken(ctx context.Context) (interface{}, error) {
	return accessToken(ctx, "", cloudPlatform)
}

func delegatedToken(ctx context.Context) (interface{}, error) {
	return accessToken(ctx, os.Getenv("SUBJECT"), userinfoEmail)
}

func userinfoAsUser(ctx context.Context) (interface{}, error) {
	config, err := jwtConfig(os.Getenv("SUBJECT"), userinfoEmail)
	if err != nil {
		return nil, err
	}
	// The client's transport adds the token over the emulator's HTTP client from ctx.
	res, err := config.Client(ctx).Get("https://www.googleapis.com/oauth2/v2/userinfo")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var info map[string]interface{}
	if err := json.NewDecoder(res.Body).Decode(&info); err != nil {
		return nil, err
	}
	return info, nil
}

func computeToken(context.Context) (interface{}, error) {
	// GCE_METADATA_HOST points the metadata client at the emulator.
	token, err := google.ComputeTokenSource("", cloudPlatform).Token()
	if err != nil {
		return nil, err
	}
	return map[string]string{"token": token.AccessToken}, nil
}

func applicationDefault(ctx context.Context) (interface{}, error) {
	credentials, err := google.FindDefaultCredentials(ctx, cloudPlatform)
	if err != nil {
		return nil, err
	}
	token, err := credentials.TokenSource.Token()
	if err != nil {
		return nil, err
	}
	return map[string]string{"token": token.AccessToken, "project_id": credentials.ProjectID}, nil
}

var flows = map[string]func(context.Context) (interface{}, error){
	"service_account_token": serviceAccountToken,
	"delegated_token":       delegatedToken,
	"userinfo_as_user":      userinfoAsUser,
	"compute_token":         computeToken,
	"application_default":   applicationDefault,
}

func main() {
	flow, ok := flows[os.Args[len(os.Args)-1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "usage: conformance FLOW")
		os.Exit(2)
	}
	result, err := flow(emulatorContext())
	if err != nil {
		result = map[string]string{"error": fmt.Sprintf("%T", err), "message": err.Error()}
	}
	if encodeErr := json.NewEncoder(os.Stdout).Encode(result); encodeErr != nil {
		panic(encodeErr)
	}
	if err != nil {
		os.Exit(1)
	}
}
