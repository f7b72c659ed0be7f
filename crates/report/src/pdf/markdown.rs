//! The catalogue's Markdown prose (rationale, remediation, summary) turned into plain data blocks
//! that a template lays out. Typst cannot read Markdown without a `@preview` package, and those are
//! unreachable offline; evaluating generated Typst markup would need escaping every character the
//! prose might contain. Data blocks need neither.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

/// A block of prose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Block {
    /// A paragraph (also a heading, which the catalogue does not use inside a section).
    Paragraph {
        /// Its inline runs.
        spans: Vec<Span>,
    },
    /// A bulleted or numbered list; each item is a list of blocks.
    List {
        /// Numbered rather than bulleted.
        ordered: bool,
        /// The items.
        items: Vec<Vec<Block>>,
    },
    /// A fenced or indented code block.
    Code {
        /// Its text, lines separated by `\n`.
        text: String,
    },
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Span {
    /// The text.
    pub text: String,
    /// Inline code (monospace).
    pub code: bool,
    /// Bold.
    pub strong: bool,
    /// Italic.
    pub emph: bool,
    /// Link target, when the run is a link.
    pub link: Option<String>,
}

/// What is being filled while the events stream by.
#[derive(Default)]
struct Frame {
    blocks: Vec<Block>,
    spans: Vec<Span>,
    /// Set for a list frame: its kind and finished items.
    list: Option<(bool, Vec<Vec<Block>>)>,
}

impl Frame {
    /// Ends the paragraph being collected, if any.
    fn flush(&mut self) {
        if !self.spans.is_empty() {
            let spans = std::mem::take(&mut self.spans);
            self.blocks.push(Block::Paragraph { spans });
        }
    }
}

/// Parses `markdown` into blocks.
pub(crate) fn blocks(markdown: &str) -> Vec<Block> {
    let mut stack = vec![Frame::default()];
    let (mut strong, mut emph) = (0u32, 0u32);
    let mut link: Option<String> = None;
    let mut code_block: Option<String> = None;
    for event in Parser::new(markdown) {
        // The root frame is never popped, so `last_mut` always finds one; `let else` keeps that
        // invariant from turning into a panic if it were ever broken.
        let Some(top) = stack.last_mut() else { break };
        match event {
            Event::Start(Tag::List(first)) => {
                top.flush();
                stack.push(Frame { list: Some((first.is_some(), Vec::new())), ..Frame::default() });
            }
            Event::End(TagEnd::List(_)) => {
                top.flush();
                if stack.len() > 1
                    && let Some(Frame { list: Some((ordered, items)), .. }) = stack.pop()
                    && let Some(parent) = stack.last_mut()
                {
                    parent.blocks.push(Block::List { ordered, items });
                }
            }
            Event::Start(Tag::Item) => stack.push(Frame::default()),
            Event::End(TagEnd::Item) => {
                top.flush();
                if stack.len() > 1
                    && let Some(item) = stack.pop()
                    && let Some(Frame { list: Some((_, items)), .. }) = stack.last_mut()
                {
                    items.push(item.blocks);
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                top.flush();
                code_block = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(text) = code_block.take() {
                    top.blocks.push(Block::Code { text: text.trim_end_matches('\n').to_owned() });
                }
            }
            Event::Start(Tag::Paragraph | Tag::Heading { .. }) => top.flush(),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) => top.flush(),
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => emph += 1,
            Event::End(TagEnd::Emphasis) => emph = emph.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => link = Some(dest_url.to_string()),
            Event::End(TagEnd::Link) => link = None,
            Event::Text(text) => match &mut code_block {
                Some(code) => code.push_str(&text),
                None => push(&mut top.spans, &text, false, strong > 0, emph > 0, &link),
            },
            Event::Code(text) => push(&mut top.spans, &text, true, strong > 0, emph > 0, &link),
            Event::SoftBreak | Event::HardBreak => push(&mut top.spans, " ", false, false, false, &None),
            Event::Html(text) | Event::InlineHtml(text) => {
                push(&mut top.spans, &text, false, strong > 0, emph > 0, &link);
            }
            _ => {}
        }
    }
    // Unbalanced input cannot come out of pulldown-cmark, but fold any open frame back anyway.
    while stack.len() > 1 {
        if let Some(mut frame) = stack.pop()
            && let Some(parent) = stack.last_mut()
        {
            frame.flush();
            parent.blocks.append(&mut frame.blocks);
        }
    }
    let mut root = stack.pop().unwrap_or_default();
    root.flush();
    root.blocks
}

/// Appends a run, merging it into the previous one when the style is the same, so a template
/// sees few runs.
fn push(spans: &mut Vec<Span>, text: &str, code: bool, strong: bool, emph: bool, link: &Option<String>) {
    if let Some(last) = spans.last_mut()
        && last.code == code
        && last.strong == strong
        && last.emph == emph
        && last.link == *link
    {
        last.text.push_str(text);
        return;
    }
    spans.push(Span { text: text.to_owned(), code, strong, emph, link: link.clone() });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Span {
        Span { text: text.into(), code: false, strong: false, emph: false, link: None }
    }

    #[test]
    fn paragraphs_code_emphasis_and_links() {
        let b = blocks("Run `docker start` *now*.\nSecond line.\n\nSee <https://docs.docker.com/x>.");
        assert_eq!(b.len(), 2);
        let Block::Paragraph { spans } = &b[0] else { panic!("{b:?}") };
        assert_eq!(spans[0], plain("Run "));
        assert!(spans[1].code && spans[1].text == "docker start");
        assert!(spans[3].emph && spans[3].text == "now");
        assert_eq!(spans[4], plain(". Second line."));
        let Block::Paragraph { spans } = &b[1] else { panic!("{b:?}") };
        assert_eq!(spans[1].link.as_deref(), Some("https://docs.docker.com/x"));
    }

    #[test]
    fn lists_and_code_blocks() {
        let b = blocks("Fix:\n\n- one `a`\n- two\n\n```sh\ndocker rm x\ndocker run y\n```\n");
        assert_eq!(b.len(), 3, "{b:?}");
        let Block::List { ordered: false, items } = &b[1] else { panic!("{b:?}") };
        assert_eq!(items.len(), 2);
        assert_eq!(b[2], Block::Code { text: "docker rm x\ndocker run y".into() });
    }
}
