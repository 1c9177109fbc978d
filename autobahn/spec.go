package autobahn

import (
	"encoding/json"
	"fmt"
	"os"
)

// DefaultCases are the sections a full run selects: 1–7 (framing, pings and
// pongs, reserved bits, opcodes, fragmentation, UTF-8, closing), 9 (limits
// and performance), 10 (auto-fragmentation), 12 and 13 (permessage-deflate,
// removed again by DefaultExclude). The testsuite has no sections 8 and 11.
var DefaultCases = []string{"1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.*", "10.*", "12.*", "13.*"}

// DefaultExclude removes no case: sections 12 and 13 (permessage-deflate)
// run since compression landed.
var DefaultExclude = []string{}

// Report directories, relative to the directory a run writes in.
const (
	serverReportDir = "reports/server"
	clientReportDir = "reports/client"
)

// Spec file names, in the directory a run writes in.
const (
	serverSpecFile = "fuzzingclient.json"
	clientSpecFile = "fuzzingserver.json"
)

// ServerSpec is the spec file of the testsuite's fuzzingclient mode, which
// connects to the servers under test.
type ServerSpec struct {
	OutDir            string              `json:"outdir"`
	Servers           []SpecServer        `json:"servers"`
	Cases             []string            `json:"cases"`
	ExcludeCases      []string            `json:"exclude-cases"`
	ExcludeAgentCases map[string][]string `json:"exclude-agent-cases"`
}

// SpecServer names one server under test: its name in the reports and its
// ws:// URL.
type SpecServer struct {
	Agent string `json:"agent"`
	URL   string `json:"url"`
}

// ClientSpec is the spec file of the testsuite's fuzzingserver mode, which
// listens at URL for the clients under test.
type ClientSpec struct {
	URL               string              `json:"url"`
	OutDir            string              `json:"outdir"`
	Cases             []string            `json:"cases"`
	ExcludeCases      []string            `json:"exclude-cases"`
	ExcludeAgentCases map[string][]string `json:"exclude-agent-cases"`
}

// NewServerSpec returns the fuzzingclient spec that runs the selected cases
// against the server at url, reported under agent. Nil cases or exclude
// select DefaultCases and DefaultExclude.
func NewServerSpec(agent, url string, cases, exclude []string) *ServerSpec {
	return &ServerSpec{
		OutDir:            "./" + serverReportDir,
		Servers:           []SpecServer{{Agent: agent, URL: url}},
		Cases:             orDefault(cases, DefaultCases),
		ExcludeCases:      orDefault(exclude, DefaultExclude),
		ExcludeAgentCases: map[string][]string{},
	}
}

// NewClientSpec returns the fuzzingserver spec that listens at url (which
// should be on 127.0.0.1) and runs the selected cases against every client
// that connects. Nil cases or exclude select DefaultCases and DefaultExclude.
func NewClientSpec(url string, cases, exclude []string) *ClientSpec {
	return &ClientSpec{
		URL:               url,
		OutDir:            "./" + clientReportDir,
		Cases:             orDefault(cases, DefaultCases),
		ExcludeCases:      orDefault(exclude, DefaultExclude),
		ExcludeAgentCases: map[string][]string{},
	}
}

func orDefault(s, def []string) []string {
	if s == nil {
		return append([]string{}, def...) // never null in the JSON
	}
	return append([]string{}, s...) // never null in the JSON
}

// writeSpec writes spec as indented JSON to path.
func writeSpec(path string, spec any) error {
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return fmt.Errorf("autobahn: encode spec: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("autobahn: write spec: %w", err)
	}
	return nil
}
