package kmdgen

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/idl"
)

// TestInheritedRedeclared checks, on the test modules and on the shipped
// facts, that each handle type itself declares every exported method it
// has: its own members and its ancestors' (property accessors, methods,
// On<Event>), plus Object, ID, Release and Events. A member left to
// promotion through the embedded parent would panic on a nil handle and be
// missing from the type's documentation.
func TestInheritedRedeclared(t *testing.T) {
	for name, f := range map[string]*idl.Facts{"testdata": testFacts(t), "facts": idl.Load()} {
		t.Run(name, func(t *testing.T) {
			declared := map[string][]string{} // receiver type -> methods
			for pkg := range handleLevels {
				files, err := Generate(Input{Facts: f}, pkg)
				require.NoError(t, err)
				for _, file := range files {
					af, err := parser.ParseFile(token.NewFileSet(), file.Name, file.Content, 0)
					require.NoError(t, err)
					for _, d := range af.Decls {
						fd, ok := d.(*ast.FuncDecl)
						if !ok || fd.Recv == nil || !fd.Name.IsExported() {
							continue
						}
						star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
						require.True(t, ok, "%s: value receiver", fd.Name.Name)
						recv := star.X.(*ast.Ident).Name
						declared[recv] = append(declared[recv], fd.Name.Name)
					}
				}
			}
			for _, c := range f.Classes {
				want := []string{"Object", "ID", "Release"}
				for _, p := range f.AllProperties(c.Name) {
					want = append(want, "Get"+exported(p.Name))
					if p.Writable() {
						want = append(want, "Set"+exported(p.Name))
					}
				}
				for _, m := range f.AllMethods(c.Name) {
					want = append(want, exported(m.Name))
				}
				if evs := f.ClassEvents(c.Name); len(evs) > 0 {
					want = append(want, "Events")
					for _, e := range evs {
						want = append(want, eventMethod(e))
					}
				}
				got := declared[c.Name]
				slices.Sort(got)
				slices.Sort(want)
				assert.Equal(t, want, got, "methods declared on %s", c.Name)
			}
		})
	}
}
