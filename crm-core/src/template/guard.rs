//! What a template's text may hold beside plain text: `{{ expressions }}` of fields, filters
//! and comparisons, `{% if %}` / `{% elif %}` / `{% else %}` / `{% endif %}`, and comments.
//! No loops, assignments, macros, includes or arithmetic: a template's output is then bounded
//! by its own length and the fields it shows, whatever it says, and a render cannot run away.

use crate::error::{Error, Result};

/// The statements a template may use.
const STATEMENTS: [&str; 4] = ["if", "elif", "else", "endif"];

/// Operators that could repeat or grow a value (`*`, `+`, `~`), other arithmetic, and subscripts.
const FORBIDDEN: [char; 7] = ['*', '+', '~', '/', '%', '-', '['];

/// Checks the tags of `source`, naming `field` in the error.
pub(crate) fn check(field: &str, source: &str) -> Result<()> {
    let mut rest = source;
    let mut line = 1;
    loop {
        let Some(open) = rest
            .find('{')
            .filter(|&i| matches!(rest.as_bytes().get(i + 1), Some(b'{' | b'%' | b'#')))
        else {
            // A lone `{` is text: look past it.
            match rest.find('{') {
                Some(i) => {
                    line += rest[..=i].matches('\n').count();
                    rest = &rest[i + 1..];
                    continue;
                }
                None => return Ok(()),
            }
        };
        line += rest[..open].matches('\n').count();
        let kind = rest.as_bytes()[open + 1];
        let body_start = open + 2;
        let close = match kind {
            b'{' => "}}",
            b'%' => "%}",
            _ => "#}",
        };
        let Some(len) = tag_len(&rest[body_start..], close, kind == b'#') else {
            // Unclosed: the engine's own syntax check names it.
            return Ok(());
        };
        let body = &rest[body_start..body_start + len];
        let at = |reason: String| Error::validation(field, format!("line {line}: {reason}"));
        if kind != b'#' {
            // Whitespace control (`{{-`, `-%}`) is not an operator.
            let inner = body.strip_prefix(['-', '+']).unwrap_or(body);
            let inner = inner.strip_suffix(['-', '+']).unwrap_or(inner);
            if kind == b'%' {
                let word = inner.split_whitespace().next().unwrap_or_default();
                if !STATEMENTS.contains(&word) {
                    return Err(at(format!(
                        "`{{% {word} %}}` is not taken: a template may use if, elif, else and \
                         endif (no loops, assignments, macros or includes)"
                    )));
                }
            }
            if let Some(c) = outside_quotes(inner).find(|c| FORBIDDEN.contains(c)) {
                return Err(at(format!(
                    "`{c}` is not taken in an expression: a template shows fields, with \
                     filters and comparisons, but computes nothing"
                )));
            }
        }
        line += rest[open..body_start + len].matches('\n').count();
        rest = &rest[body_start + len + close.len()..];
    }
}

/// The length of a tag's body up to `close`, as the engine's lexer ends it: outside string
/// literals and only where every bracket opened in it is closed (`{{ {'a': {'b': 1}} }}` ends
/// at the last `}}`), not in a comment.
fn tag_len(body: &str, close: &str, comment: bool) -> Option<usize> {
    if comment {
        return body.find(close);
    }
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut depth: usize = 0;
    for (i, c) in body.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if depth == 0 && body[i..].starts_with(close) => return Some(i),
            None if matches!(c, '(' | '[' | '{') => depth += 1,
            None if matches!(c, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            None => {}
        }
    }
    None
}

/// The characters of an expression outside its string literals.
fn outside_quotes(expr: &str) -> impl Iterator<Item = char> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    expr.chars().filter(move |&c| match quote {
        Some(q) => {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            false
        }
        None if c == '"' || c == '\'' => {
            quote = Some(c);
            false
        }
        None => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_filters_and_conditions_are_taken() {
        for ok in [
            "Hello {{ customer.first_name }}!",
            "{% if next_booking %}{{ next_booking.departure }}{% else %}-{% endif %}",
            "{%- if customer.title == \"Dr\" -%}Doctor{%- endif -%}",
            "{{ customer.last_name | upper }} {{ customer.company | default(\"a + b * c\") }}",
            "{# a comment with * and {% for %} #}text",
            "{ not a tag } and a lone { brace",
            "{{ \"it's \\\" }}\" }}",
        ] {
            check("text", ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn loops_assignments_and_arithmetic_are_refused_with_the_line() {
        for (bad, word) in [
            ("{% for i in range(9) %}x{% endfor %}", "for"),
            ("{% set s = customer.first_name %}", "set"),
            ("{% macro m() %}{% endmacro %}", "macro"),
            ("{% include \"other\" %}", "include"),
            ("{% raw %}x{% endraw %}", "raw"),
            ("{{ \"x\" * 100000000 }}", "*"),
            ("{{ customer.first_name ~ customer.first_name }}", "~"),
            ("{{ customer.first_name + \"x\" }}", "+"),
            ("{{ customer[\"first_name\"] }}", "["),
            ("{{ 10 - 2 }}", "-"),
            // A map literal does not end the tag at its own closing braces.
            ("{{ {'a': {'b': 'x'}}.a.b * 99999999 }}", "*"),
            ("{% if {'a': {'b': 1}} %}{{ 'x' ~ 'y' }}{% endif %}", "~"),
        ] {
            let err = check("html", &format!("line one\n{bad}")).unwrap_err();
            assert_eq!(err.field(), Some("html"));
            let text = err.to_string();
            assert!(
                text.contains("line 2") && text.contains(word),
                "{bad}: {text}"
            );
        }
    }
}
