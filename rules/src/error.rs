//! The crate's single error type.

use std::fmt;

/// Where in a pack (or term file) a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// File name (or the `origin` given to [`crate::PackSet::from_toml_str`]).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column (in characters), 0 when unknown.
    pub column: usize,
    /// Id of the rule concerned, when there is one.
    pub rule: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        if let Some(rule) = &self.rule {
            write!(f, " (rule `{rule}`)")?;
        }
        Ok(())
    }
}

impl Location {
    /// Location of byte offset `offset` inside `src` (a file called `file`).
    pub fn at_offset(file: &str, src: &str, offset: usize) -> Location {
        let offset = offset.min(src.len());
        let before = src.get(..offset).unwrap_or(src);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        Location {
            file: file.to_string(),
            line,
            column,
            rule: None,
        }
    }

    /// The same location, naming a rule.
    pub fn with_rule(mut self, rule: Option<&str>) -> Location {
        self.rule = rule.map(str::to_string);
        self
    }
}

/// Every error this crate reports.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// A pack or term file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The pack is not valid TOML or does not match the pack schema.
    #[error("{at}: {message}")]
    Syntax {
        /// Where.
        at: Location,
        /// What was expected.
        message: String,
    },
    /// The pack parses but a rule or setting is invalid (bad regex, CIDR, term ...).
    #[error("{at}: {message}")]
    Invalid {
        /// Where.
        at: Location,
        /// What was expected.
        message: String,
    },
    /// A response violates the IVS review-handler contract.
    #[error("invalid review response: {0}")]
    InvalidResponse(String),
    /// A backtest report cannot be read or merged (names the file and what was expected).
    #[error("backtest report: {0}")]
    Backtest(String),
}

impl RulesError {
    /// The location of a load error, if it has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            RulesError::Syntax { at, .. } | RulesError::Invalid { at, .. } => Some(at),
            _ => None,
        }
    }
}
