//! The `fields=` parameter: a comma list with `edge{…}` expansion, e.g.
//! `id,caption,children{id,media_type,media_url}`. Modifiers such as `.limit(5)` are accepted and ignored.

use crate::graph_error::GraphError;

/// One requested field, with its sub-fields when it is an expanded edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    /// The field or edge name.
    pub(crate) name: String,
    /// `Some` for `edge{…}`; `None` for a plain field.
    pub(crate) sub: Option<Vec<Field>>,
}

/// Parses a `fields` value; a syntax error is a code-100 error like Graph's.
pub(crate) fn parse_fields(text: &str) -> Result<Vec<Field>, GraphError> {
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    let fields = parse_list(&chars, &mut pos)?;
    if pos < chars.len() {
        return Err(syntax_error(text, pos));
    }
    Ok(fields)
}

fn syntax_error(text: &str, pos: usize) -> GraphError {
    GraphError::InvalidParameter(format!(
        "Syntax error \"Expected end of string instead of \"}}\".\" at character {pos}: {text}"
    ))
}

fn parse_list(chars: &[char], pos: &mut usize) -> Result<Vec<Field>, GraphError> {
    let mut fields = Vec::new();
    loop {
        let start = *pos;
        while *pos < chars.len() && !matches!(chars[*pos], ',' | '{' | '}' | '.') {
            *pos += 1;
        }
        let name: String = chars[start..*pos]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        // Modifiers: `.limit(5)`, `.as(x)`; skipped up to their closing parenthesis.
        while *pos < chars.len() && chars[*pos] == '.' {
            while *pos < chars.len() && chars[*pos] != ')' {
                *pos += 1;
            }
            *pos += 1;
        }
        let mut sub = None;
        if *pos < chars.len() && chars[*pos] == '{' {
            *pos += 1;
            sub = Some(parse_list(chars, pos)?);
            if *pos >= chars.len() || chars[*pos] != '}' {
                let text: String = chars.iter().collect();
                return Err(syntax_error(&text, *pos));
            }
            *pos += 1;
        }
        if !name.is_empty() {
            fields.push(Field { name, sub });
        }
        match chars.get(*pos) {
            Some(',') => *pos += 1,
            _ => return Ok(fields),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(fields: &[Field]) -> Vec<&str> {
        fields.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn edges_expand_into_sub_fields() {
        let fields = parse_fields("id,caption,children{id,media_url},timestamp").unwrap();
        assert_eq!(names(&fields), ["id", "caption", "children", "timestamp"]);
        assert_eq!(names(fields[2].sub.as_ref().unwrap()), ["id", "media_url"]);
        assert!(fields[0].sub.is_none());
    }

    #[test]
    fn modifiers_and_stray_commas_are_tolerated() {
        let fields = parse_fields("id,,children.limit(2){id},").unwrap();
        assert_eq!(names(&fields), ["id", "children"]);
    }

    #[test]
    fn unbalanced_braces_are_a_syntax_error() {
        assert!(parse_fields("id,children{id").is_err());
        assert!(parse_fields("id}").is_err());
    }
}
