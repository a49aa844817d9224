//! Views one feature's page shows from a feature above it, named here, below both, and filled by
//! the app (`app.rs` provides each as a context). A page names the slot's component; the feature
//! that builds the view never becomes a dependency of the page's feature.
use leptos::prelude::*;

/// A status message that can hold links.
#[derive(Clone)]
pub struct AnyViewFn(pub std::sync::Arc<dyn Fn() -> AnyView + Send + Sync>);

impl AnyViewFn {
    pub fn new<V: IntoView + 'static>(f: impl Fn() -> V + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(move || f().into_any()))
    }
}

/// What fills [`DeleteWorkspaceSlot`]: the deletion feature's dialog (its code loaded when first
/// opened), given the workspace's name, `on_close`, `on_deleted` (the status message to show)
/// and `on_changed` (the list changed again, by an Undo).
#[derive(Clone, Copy)]
pub struct DeleteWorkspaceDialog(
    pub fn(String, Callback<()>, Callback<AnyViewFn>, Callback<()>) -> AnyView,
);

/// The Delete Workspace dialog the Workspaces page opens from a row's "More" menu, as the app
/// provided it ([`DeleteWorkspaceDialog`]).
#[component]
pub fn DeleteWorkspaceSlot(
    workspace: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_deleted: Callback<AnyViewFn>,
    #[prop(into)] on_changed: Callback<()>,
) -> impl IntoView {
    let DeleteWorkspaceDialog(dialog) = expect_context::<DeleteWorkspaceDialog>();
    dialog(workspace, on_close, on_deleted, on_changed)
}
