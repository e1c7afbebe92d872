//! `#[derive(ConnectConfig)]`: a plugin's `ConfigDef` and its typed configuration from one
//! struct. Use it through `connect_plugin_api::ConnectConfig`; the generated code implements
//! `connect_plugin_api::sdk::config::ConnectConfig` and builds every key with the SDK's `Key`
//! builder, so validation and messages are the SDK's (Kafka Connect's wording).
//!
//! ```ignore
//! #[derive(ConnectConfig)]
//! struct MyConfig {
//!     /// Records per request.
//!     #[config(default = "2000", range(min = 1, max = 1_000_000), importance = "high")]
//!     batch_size: i32,                      // key `batch.size`, INT
//!     #[config(name = "connection.url", group = "Connector", width = "long")]
//!     urls: Vec<String>,                    // LIST, required
//!     #[config(default = "100", unit = "ms")]
//!     retry_backoff_ms: std::time::Duration, // LONG in milliseconds
//!     password: Option<Password>,           // PASSWORD, null default
//!     #[config(default = "insert", one_of("insert", "upsert"), case_insensitive,
//!              parse_with = "parse_mode")]
//!     write_method: Mode,                   // STRING, read by `parse_mode(&str) -> Result<Mode, E>`
//! }
//! ```
//!
//! Field attributes, all inside `#[config(...)]`:
//! - `name = "a.b"` (default: the field name with `_` → `.`); any `&str` expression works.
//! - `ty = "CLASS"`: the key type when it is not inferred (inferred from `ConfigValue::TYPE` of
//!   the field type, or of `T` for `Option<T>`; `STRING` with `parse_with`; `LONG` with `unit`).
//! - `default = "…"` (an expression of type `&str`); without it the key is required, unless the
//!   field is an `Option` (null default).
//! - `doc = "…"`, else the doc comment: lines joined with a space, blank lines as `\n`, one
//!   leading space of each line removed.
//! - `importance = "high|medium|low"`, `width = "none|short|medium|long"`, `display = "…"`.
//! - `group = "…"`, `order = N` (default: the field's 1-based position in its group).
//! - Validators: `range(min = .., max = ..)` (either side optional), `one_of("a", "b")` (exact
//!   unless `case_insensitive`), `non_empty`, `list_of("a", "b")`.
//! - `recommended("a", "b")`, `dependents("k1", "k2")`.
//! - `unit = "ms" | "s"` for `std::time::Duration` fields.
//! - `parse_with = "path::to::fn"`: `fn(&str) -> Result<T, E: Display>` reads the raw value
//!   (called only when there is one, for `Option<T>`); its error is reported by `validate` as
//!   "Invalid value … for configuration …: {error}".

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::{
    Data, DeriveInput, Expr, ExprLit, Fields, GenericArgument, Lit, LitStr, PathArguments, Token,
    Type, parse_macro_input,
};

/// See the crate documentation.
#[proc_macro_derive(ConnectConfig, attributes(config))]
pub fn derive_connect_config(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

#[derive(Default)]
struct FieldAttrs {
    name: Option<Expr>,
    ty: Option<LitStr>,
    default: Option<Expr>,
    doc: Option<Expr>,
    importance: Option<LitStr>,
    group: Option<Expr>,
    order: Option<Expr>,
    width: Option<LitStr>,
    display: Option<Expr>,
    range: Option<(Option<Expr>, Option<Expr>)>,
    one_of: Option<Vec<Expr>>,
    case_insensitive: bool,
    non_empty: bool,
    list_of: Option<Vec<Expr>>,
    recommended: Option<Vec<Expr>>,
    dependents: Option<Vec<Expr>>,
    unit: Option<LitStr>,
    parse_with: Option<syn::ExprPath>,
}

fn list(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Vec<Expr>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let items = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
    Ok(items.into_iter().collect())
}

fn parse_attrs(field: &syn::Field) -> syn::Result<FieldAttrs> {
    let mut a = FieldAttrs::default();
    for attr in &field.attrs {
        if !attr.path().is_ident("config") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            let p = &meta.path;
            if p.is_ident("name") {
                a.name = Some(meta.value()?.parse()?);
            } else if p.is_ident("ty") {
                a.ty = Some(meta.value()?.parse()?);
            } else if p.is_ident("default") {
                a.default = Some(meta.value()?.parse()?);
            } else if p.is_ident("doc") {
                a.doc = Some(meta.value()?.parse()?);
            } else if p.is_ident("importance") {
                a.importance = Some(meta.value()?.parse()?);
            } else if p.is_ident("group") {
                a.group = Some(meta.value()?.parse()?);
            } else if p.is_ident("order") {
                a.order = Some(meta.value()?.parse()?);
            } else if p.is_ident("width") {
                a.width = Some(meta.value()?.parse()?);
            } else if p.is_ident("display") {
                a.display = Some(meta.value()?.parse()?);
            } else if p.is_ident("unit") {
                let u: LitStr = meta.value()?.parse()?;
                if u.value() != "ms" && u.value() != "s" {
                    return Err(syn::Error::new(u.span(), "unit must be \"ms\" or \"s\""));
                }
                a.unit = Some(u);
            } else if p.is_ident("parse_with") {
                let s: LitStr = meta.value()?.parse()?;
                a.parse_with = Some(s.parse()?);
            } else if p.is_ident("range") {
                let (mut min, mut max) = (None, None);
                meta.parse_nested_meta(|m| {
                    if m.path.is_ident("min") {
                        min = Some(m.value()?.parse()?);
                    } else if m.path.is_ident("max") {
                        max = Some(m.value()?.parse()?);
                    } else {
                        return Err(m.error("expected `min = ..` or `max = ..`"));
                    }
                    Ok(())
                })?;
                a.range = Some((min, max));
            } else if p.is_ident("one_of") {
                let mut items = list(&meta)?;
                items.retain(|e| {
                    let ci = matches!(e, Expr::Path(p) if p.path.is_ident("case_insensitive"));
                    a.case_insensitive |= ci;
                    !ci
                });
                a.one_of = Some(items);
            } else if p.is_ident("case_insensitive") {
                a.case_insensitive = true;
            } else if p.is_ident("non_empty") {
                a.non_empty = true;
            } else if p.is_ident("list_of") {
                a.list_of = Some(list(&meta)?);
            } else if p.is_ident("recommended") {
                a.recommended = Some(list(&meta)?);
            } else if p.is_ident("dependents") {
                a.dependents = Some(list(&meta)?);
            } else {
                return Err(meta.error("unknown `config` attribute"));
            }
            Ok(())
        })?;
    }
    let validators = [
        a.range.is_some(),
        a.one_of.is_some(),
        a.non_empty,
        a.list_of.is_some(),
    ];
    if validators.iter().filter(|v| **v).count() > 1 {
        return Err(syn::Error::new_spanned(
            field,
            "at most one validator: range, one_of, non_empty or list_of",
        ));
    }
    if a.case_insensitive && a.one_of.is_none() {
        return Err(syn::Error::new_spanned(
            field,
            "`case_insensitive` needs `one_of`",
        ));
    }
    Ok(a)
}

/// The doc comment as documentation: lines joined with a space, blank lines as `\n`.
fn doc_text(field: &syn::Field) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for attr in &field.attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        let Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) = &nv.value
        else {
            continue;
        };
        for line in s.value().split('\n') {
            let line = line.strip_prefix(' ').unwrap_or(line);
            if line.trim().is_empty() {
                if !current.is_empty() {
                    paragraphs.push(current.join(" "));
                    current.clear();
                }
            } else {
                current.push(line.to_owned());
            }
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    paragraphs.join("\n")
}

/// `Option<T>` → `Some(T)`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(tp) = ty else { return None };
    let seg = tp.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

fn is_duration(ty: &Type) -> bool {
    matches!(ty, Type::Path(tp) if tp.path.segments.last().is_some_and(|s| s.ident == "Duration"))
}

fn upper_const(lit: &LitStr, allowed: &[&str], what: &str) -> syn::Result<syn::Ident> {
    let v = lit.value().to_ascii_uppercase();
    if !allowed.contains(&v.as_str()) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{what} must be one of: {}",
                allowed.join(", ").to_ascii_lowercase()
            ),
        ));
    }
    Ok(syn::Ident::new(&v, lit.span()))
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            input,
            "ConnectConfig needs a struct",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            input,
            "ConnectConfig needs named fields",
        ));
    };
    let cfg = quote!(::connect_plugin_api::sdk::config);
    let abi = quote!(::connect_plugin_api::abi::config);

    let mut keys = Vec::new();
    let mut reads = Vec::new();
    let mut checks = Vec::new();
    let mut group_counts: Vec<(String, i32)> = Vec::new();

    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named field");
        let a = parse_attrs(field)?;
        let name = match &a.name {
            Some(e) => e.to_token_stream(),
            None => {
                let n = ident.to_string();
                let n = n.strip_prefix("r#").unwrap_or(&n).replace('_', ".");
                LitStr::new(&n, Span::call_site()).to_token_stream()
            }
        };
        let inner = option_inner(&field.ty);
        let value_ty = inner.unwrap_or(&field.ty);
        if a.unit.is_some() && !is_duration(value_ty) {
            return Err(syn::Error::new_spanned(
                &field.ty,
                "`unit` is for std::time::Duration fields",
            ));
        }
        if a.unit.is_none() && a.parse_with.is_none() && is_duration(value_ty) {
            return Err(syn::Error::new_spanned(
                &field.ty,
                "a Duration field needs `#[config(unit = \"ms\")]` (or \"s\")",
            ));
        }
        let config_type = match (&a.ty, &a.unit, &a.parse_with) {
            (Some(t), _, _) => {
                let id = upper_const(
                    t,
                    &[
                        "BOOLEAN", "STRING", "INT", "SHORT", "LONG", "DOUBLE", "LIST", "CLASS",
                        "PASSWORD",
                    ],
                    "ty",
                )?;
                quote!(#abi::ConfigType::#id)
            }
            (None, Some(_), _) => quote!(#abi::ConfigType::LONG),
            (None, None, Some(_)) => quote!(#abi::ConfigType::STRING),
            (None, None, None) => quote!(<#value_ty as #cfg::ConfigValue>::TYPE),
        };

        // The key.
        let mut key = quote!(#cfg::Key::new(#name, #config_type));
        match (&a.default, inner) {
            (Some(d), _) => key.extend(quote!(.default(#d))),
            (None, Some(_)) => key.extend(quote!(.default_null())),
            (None, None) => {}
        }
        if let Some(i) = &a.importance {
            let id = upper_const(i, &["HIGH", "MEDIUM", "LOW"], "importance")?;
            key.extend(quote!(.importance(#abi::Importance::#id)));
        }
        match &a.doc {
            Some(d) => key.extend(quote!(.doc(#d))),
            None => {
                let d = doc_text(field);
                if !d.is_empty() {
                    key.extend(quote!(.doc(#d)));
                }
            }
        }
        if let Some(g) = &a.group {
            let gk = g.to_token_stream().to_string();
            let n = match group_counts.iter_mut().find(|(k, _)| *k == gk) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    group_counts.push((gk, 1));
                    1
                }
            };
            let order = match &a.order {
                Some(o) => o.to_token_stream(),
                None => quote!(#n),
            };
            key.extend(quote!(.group(#g, #order)));
        } else if let Some(o) = &a.order {
            key.extend(quote!(.group("", #o)));
        }
        if let Some(w) = &a.width {
            let id = upper_const(w, &["NONE", "SHORT", "MEDIUM", "LONG"], "width")?;
            key.extend(quote!(.width(#abi::Width::#id)));
        }
        if let Some(d) = &a.display {
            key.extend(quote!(.display(#d)));
        }
        if let Some(d) = &a.dependents {
            key.extend(quote!(.dependents(&[#(#d),*])));
        }
        if let Some((min, max)) = &a.range {
            let side = |e: &Option<Expr>| match e {
                Some(e) => quote!(::core::option::Option::Some((#e) as f64)),
                None => quote!(::core::option::Option::None),
            };
            let (min, max) = (side(min), side(max));
            key.extend(quote!(.range(#min, #max)));
        }
        if let Some(v) = &a.one_of {
            let ci = a.case_insensitive;
            key.extend(quote!(.one_of(&[#(#v),*]).case_insensitive(#ci)));
        }
        if let Some(v) = &a.list_of {
            key.extend(quote!(.list_of(&[#(#v),*])));
        }
        if a.non_empty {
            key.extend(quote!(.non_empty()));
        }
        if let Some(v) = &a.recommended {
            key.extend(quote!(.recommended(&[#(#v),*])));
        }
        keys.push(quote!(.define(#key)));

        // The read.
        let d = quote!(#cfg::__derive);
        let read = match (&a.parse_with, &a.unit, inner.is_some()) {
            (Some(f), _, false) => quote!(#d::value_with(config, #name, #config_type, #f)?),
            (Some(f), _, true) => quote!(#d::optional_with(config, #name, #config_type, #f)?),
            (None, Some(u), false) => quote!(#d::duration(config, #name, #u)?),
            (None, Some(u), true) => quote!(#d::optional_duration(config, #name, #u)?),
            (None, None, false) => quote!(#d::value::<#value_ty>(config, #name)?),
            (None, None, true) => quote!(#d::optional::<#value_ty>(config, #name)?),
        };
        reads.push(quote!(#ident: #read));
        if let Some(f) = &a.parse_with {
            checks.push(quote!(#d::check_with(&mut reports, raw, &def, #name, #f);));
        }
    }

    let ident = &input.ident;
    let (impl_g, ty_g, where_g) = input.generics.split_for_impl();
    let validate = if checks.is_empty() {
        quote!()
    } else {
        quote! {
            fn validate(raw: &#cfg::ConfigMap) -> ::std::vec::Vec<#abi::ConfigValueReport> {
                let def = <Self as #cfg::ConnectConfig>::config_def();
                let mut reports = def.validate(raw);
                #(#checks)*
                reports
            }
        }
    };
    Ok(quote! {
        impl #impl_g #cfg::ConnectConfig for #ident #ty_g #where_g {
            fn config_def() -> #cfg::ConfigDef {
                #cfg::ConfigDef::new() #(#keys)*
            }
            fn from_config(
                config: &#cfg::Config,
            ) -> ::core::result::Result<Self, ::connect_plugin_api::sdk::error::ConnectError> {
                ::core::result::Result::Ok(Self { #(#reads),* })
            }
            #validate
        }
    })
}
