// Package markdown escapes text for the Markdown the generators of this
// repository write (the CLI and config references, the benchmark report),
// so all of them read help texts and comments the same way.
package markdown

import "strings"

// Escape keeps Markdown from reading text as markup (`@servers:*` as
// emphasis, `<FLAG>` as HTML, `[HOST:]` as a link), except inside `code
// spans`, which help texts and comments use as Markdown does. An
// underscore inside a word (MINI_API_PORT) is no emphasis in GitHub's
// Markdown.
func Escape(s string) string {
	var b strings.Builder
	code := false
	for _, r := range s {
		switch {
		case r == '`':
			code = !code
		case !code && strings.ContainsRune(`\*<>[]`, r):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Cell escapes the | that would end a table cell, in code spans too
// (GitHub's tables take \| there as well).
func Cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
