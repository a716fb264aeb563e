//go:build integration

package kurentotest_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The integration build runs the raw-frame behaviour suite (every test that
// gets its server from newTarget) against the KMS at KURENTO_URL:
//
//	KURENTO_URL=ws://127.0.0.1:8888/kurento go test -tags integration ./kurentotest/
//
// Without KURENTO_URL those tests skip. With it, the tests that build and
// script a fake of their own (React, Emit, Calls, DropConnections, Restart,
// WaitCall, replayed frames) are left out: they test the fake, not a server.
// The others run in parallel, as they do on the fake: they never depend on
// being alone on the server (events of other sessions are filtered out).

const noKMS = "KURENTO_URL not set: the behaviour suite needs a real KMS"

func init() {
	realServer = func(t *testing.T) string {
		t.Helper()
		u := os.Getenv("KURENTO_URL")
		if u == "" {
			t.Skip(noKMS)
		}
		return u
	}
	beforeTests = func() {
		u := os.Getenv("KURENTO_URL")
		if u == "" {
			return
		}
		names, err := fakeOnlyTests()
		if err != nil {
			panic(fmt.Sprintf("finding the fake-only tests: %v", err))
		}
		flag.Parse()
		skip := "^(" + strings.Join(names, "|") + ")$"
		if prev := flag.Lookup("test.skip").Value.String(); prev != "" {
			skip = prev + "|" + skip
		}
		if err := flag.Set("test.skip", skip); err != nil {
			panic(err) // the flag exists since Go 1.20
		}
		_, _ = fmt.Fprintf(os.Stderr, "behaviour tests talk to %s; fake-only tests left out: %s\n", u, strings.Join(names, " "))
	}
}

// fakeOnlyTests returns the tests of this package (go test runs in its
// directory) that start a fake of their own: they use kurentotest.NewServer
// or kurentotest.Start, directly or through package-level functions, other
// than through newTarget.
func fakeOnlyTests() ([]string, error) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		return nil, err
	}
	refs := map[string]map[string]bool{} // function -> identifiers it uses
	fake := map[string]bool{}            // functions that start a fake
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(f, "_integration_test.go") {
			continue // tests of the integration build that use a fake on purpose
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || fn.Name.Name == "newTarget" {
				continue
			}
			name := fn.Name.Name
			refs[name] = map[string]bool{}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					if x, ok := n.X.(*ast.Ident); ok && x.Name == "kurentotest" &&
						(n.Sel.Name == "NewServer" || n.Sel.Name == "Start") {
						fake[name] = true
					}
				case *ast.Ident:
					refs[name][n.Name] = true
				}
				return true
			})
		}
	}
	for changed := true; changed; {
		changed = false
		for name, used := range refs {
			if fake[name] {
				continue
			}
			for u := range used {
				if fake[u] {
					fake[name], changed = true, true
					break
				}
			}
		}
	}
	var names []string
	for name := range fake {
		if strings.HasPrefix(name, "Test") && name != "TestMain" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}
