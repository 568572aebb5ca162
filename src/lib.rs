pub mod ast;
pub mod limits;
pub mod source;
pub mod syntax;
pub mod time;
