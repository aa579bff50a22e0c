//! The running server: start and stop with its background tasks, the HTTP routes, the widget's
//! server-rendered first view and its built files.

pub mod app;
pub mod first_view;
pub mod http;
pub mod widget_assets;
