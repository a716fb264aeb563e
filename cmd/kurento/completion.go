package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// completion writes the completion script for shell: verbs, then each
// verb's flags (read from the same flag sets the verbs parse, so the
// scripts cannot drift from the tool).
func completion(w io.Writer, shell string) error {
	var verbNames []string
	flagsOf := map[string][]string{}
	for _, v := range verbs() {
		verbNames = append(verbNames, v.name)
		fs := flag.NewFlagSet(v.name, flag.ContinueOnError)
		var c common
		c.register(fs, env{getenv: func(string) string { return "" }})
		if v.flags != nil {
			v.flags(fs)
		}
		fs.VisitAll(func(f *flag.Flag) { flagsOf[v.name] = append(flagsOf[v.name], "--"+f.Name) })
		slices.Sort(flagsOf[v.name])
	}
	switch shell {
	case "bash":
		return bashCompletion(w, verbNames, flagsOf)
	case "zsh":
		return zshCompletion(w, verbNames, flagsOf)
	}
	return usagef("completion: unknown shell %q (bash or zsh)", shell)
}

func bashCompletion(w io.Writer, verbNames []string, flagsOf map[string][]string) error {
	var b strings.Builder
	b.WriteString("# bash completion for kurento; load with: source <(kurento completion bash)\n")
	b.WriteString("_kurento() {\n")
	b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} verb= i\n")
	b.WriteString("  for ((i = 1; i < COMP_CWORD; i++)); do\n")
	b.WriteString("    case ${COMP_WORDS[i]} in -*) ;; *) verb=${COMP_WORDS[i]}; break ;; esac\n")
	b.WriteString("  done\n")
	b.WriteString("  case $verb in\n")
	fmt.Fprintf(&b, "    '') COMPREPLY=($(compgen -W '%s --url --timeout --json --help' -- \"$cur\")) ;;\n", strings.Join(verbNames, " "))
	for _, v := range verbNames {
		words := strings.Join(flagsOf[v], " ")
		if v == "completion" {
			words = "bash zsh"
		}
		fmt.Fprintf(&b, "    %s) COMPREPLY=($(compgen -W '%s --help' -- \"$cur\")) ;;\n", v, words)
	}
	b.WriteString("  esac\n}\ncomplete -F _kurento kurento\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func zshCompletion(w io.Writer, verbNames []string, flagsOf map[string][]string) error {
	var b strings.Builder
	b.WriteString("#compdef kurento\n# zsh completion for kurento; load with: source <(kurento completion zsh)\n")
	b.WriteString("_kurento() {\n")
	b.WriteString("  local verb=${${words[2,CURRENT-1]:#-*}[1]}\n")
	b.WriteString("  if [[ -z $verb ]]; then\n")
	fmt.Fprintf(&b, "    compadd -- %s\n", strings.Join(verbNames, " "))
	b.WriteString("    return\n  fi\n  case $verb in\n")
	for _, v := range verbNames {
		words := strings.Join(flagsOf[v], " ") + " --help"
		if v == "completion" {
			words = "bash zsh"
		}
		fmt.Fprintf(&b, "    %s) compadd -- %s ;;\n", v, words)
	}
	b.WriteString("  esac\n}\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then _kurento \"$@\"; else compdef _kurento kurento; fi\n")
	_, err := io.WriteString(w, b.String())
	return err
}
