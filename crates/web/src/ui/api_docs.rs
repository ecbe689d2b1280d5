//! A browsable page of the API, rendered from the OpenAPI document (works offline).

use super::{Viewer, render};
use crate::i18n::Tr;
use askama::Template;
use axum::response::Response;
use std::sync::Arc;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr, Required};

/// One operation as shown.
pub struct OpView {
    pub method: &'static str,
    pub path: String,
    pub anchor: String,
    pub summary: String,
    pub params: Vec<(String, &'static str, bool, String)>,
    pub body: Option<String>,
    pub responses: Vec<(String, String, Option<String>)>,
}

/// A schema as shown.
pub struct SchemaView {
    pub name: String,
    pub json: String,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    t: Tr,
    lang: &'static str,
    signed_in: bool,
    title: String,
    description: String,
    ops: Vec<OpView>,
    schemas: Vec<SchemaView>,
}

fn ref_name<T>(r: &RefOr<T>) -> Option<String> {
    match r {
        RefOr::Ref(r) => r.ref_location.rsplit('/').next().map(str::to_string),
        RefOr::T(_) => None,
    }
}

fn op_view(method: &'static str, path: &str, op: &Operation) -> OpView {
    let params = op
        .parameters
        .iter()
        .flatten()
        .map(|p| {
            let location = match p.parameter_in {
                ParameterIn::Path => "path",
                ParameterIn::Query => "query",
                ParameterIn::Header => "header",
                ParameterIn::Cookie => "cookie",
            };
            (
                p.name.clone(),
                location,
                matches!(p.required, Required::True),
                p.description.clone().unwrap_or_default(),
            )
        })
        .collect();
    let body = op.request_body.as_ref().and_then(|b| {
        b.content
            .values()
            .next()
            .and_then(|c| c.schema.as_ref())
            .map(|s| ref_name(s).unwrap_or_else(|| "object".into()))
    });
    let responses = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| match r {
            RefOr::T(resp) => {
                let schema = resp
                    .content
                    .values()
                    .next()
                    .and_then(|c| c.schema.as_ref())
                    .map(|s| match s {
                        RefOr::Ref(_) => ref_name(s).unwrap_or_default(),
                        RefOr::T(schema) => match schema {
                            utoipa::openapi::schema::Schema::Array(a) => match &a.items {
                                utoipa::openapi::schema::ArrayItems::RefOrSchema(inner) => format!(
                                    "[{}]",
                                    ref_name(inner).unwrap_or_else(|| "object".into())
                                ),
                                _ => "array".into(),
                            },
                            _ => "object".into(),
                        },
                    });
                (code.clone(), resp.description.clone(), schema)
            }
            RefOr::Ref(_) => (code.clone(), String::new(), ref_name(r)),
        })
        .collect();
    let summary = [op.summary.clone(), op.description.clone()]
        .into_iter()
        .flatten()
        .next()
        .unwrap_or_default();
    OpView {
        method,
        path: path.to_string(),
        anchor: format!(
            "{}-{}",
            method.to_lowercase(),
            path.replace(['/', '{', '}'], "-")
        ),
        summary,
        params,
        body,
        responses,
    }
}

/// `GET /api/docs`.
pub async fn page(doc: Arc<OpenApi>, viewer: Viewer) -> Response {
    let mut ops = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if let Some(op) = op {
                ops.push(op_view(method, path, op));
            }
        }
    }
    let schemas = doc
        .components
        .as_ref()
        .map(|c| {
            c.schemas
                .iter()
                .map(|(name, schema)| SchemaView {
                    name: name.clone(),
                    json: serde_json::to_string_pretty(schema).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    render(&ApiDocsPage {
        t: Tr(viewer.locale),
        lang: viewer.locale.tag(),
        signed_in: viewer.caller.is_some(),
        title: doc.info.title.clone(),
        description: doc.info.description.clone().unwrap_or_default(),
        ops,
        schemas,
    })
}
