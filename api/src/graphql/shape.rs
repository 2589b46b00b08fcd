//! The schema's shape, read from its SDL: which fields each type has and their types.
//!
//! Two readers need it without async-graphql's registry: `graphql::engine::nulls` (the type of
//! the field at an error's path) and the breaking-change check, which compares the served
//! SDL with the one clients were built against ([`breaking_changes`]).

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

/// What kind of type a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    Input,
}

/// An argument or an input field: its type and whether it has a default.
#[derive(Debug, Clone)]
pub struct InputDef {
    pub ty: Type,
    pub has_default: bool,
}

/// An output field: its type and arguments.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub ty: Type,
    pub args: BTreeMap<String, InputDef>,
}

/// One named type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub kind: Kind,
    /// Object and interface fields.
    pub fields: BTreeMap<String, FieldDef>,
    /// Input object fields.
    pub inputs: BTreeMap<String, InputDef>,
    /// Enum values, union members, or the interfaces an object implements.
    pub members: BTreeSet<String>,
}

/// Every named type of a schema.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub types: BTreeMap<String, TypeDef>,
}

impl Shape {
    /// Reads an SDL document.
    ///
    /// # Errors
    /// The parser's message when `sdl` is not a valid schema document.
    pub fn parse(sdl: &str) -> Result<Self, String> {
        let document = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut types = BTreeMap::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let ty = ty.node;
            let input = |v: &async_graphql::parser::types::InputValueDefinition| InputDef {
                ty: v.ty.node.clone(),
                has_default: v.default_value.is_some(),
            };
            let fields = |list: &[async_graphql::Positioned<
                async_graphql::parser::types::FieldDefinition,
            >]| {
                list.iter()
                    .map(|f| {
                        let args = f
                            .node
                            .arguments
                            .iter()
                            .map(|a| (a.node.name.node.to_string(), input(&a.node)))
                            .collect();
                        let def = FieldDef {
                            ty: f.node.ty.node.clone(),
                            args,
                        };
                        (f.node.name.node.to_string(), def)
                    })
                    .collect()
            };
            let names = |list: &[async_graphql::Positioned<async_graphql::Name>]| {
                list.iter().map(|n| n.node.to_string()).collect()
            };
            let def = match &ty.kind {
                TypeKind::Scalar => TypeDef::new(Kind::Scalar),
                TypeKind::Object(o) => TypeDef {
                    fields: fields(&o.fields),
                    members: names(&o.implements),
                    ..TypeDef::new(Kind::Object)
                },
                TypeKind::Interface(i) => TypeDef {
                    fields: fields(&i.fields),
                    members: names(&i.implements),
                    ..TypeDef::new(Kind::Interface)
                },
                TypeKind::Union(u) => TypeDef {
                    members: names(&u.members),
                    ..TypeDef::new(Kind::Union)
                },
                TypeKind::Enum(e) => TypeDef {
                    members: e
                        .values
                        .iter()
                        .map(|v| v.node.value.node.to_string())
                        .collect(),
                    ..TypeDef::new(Kind::Enum)
                },
                TypeKind::InputObject(i) => TypeDef {
                    inputs: i
                        .fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), input(&f.node)))
                        .collect(),
                    ..TypeDef::new(Kind::Input)
                },
            };
            types.insert(ty.name.node.to_string(), def);
        }
        Ok(Self { types })
    }

    /// The type of `field` on the type `on` (`__typename` on any type).
    pub fn field_type(&self, on: &str, field: &str) -> Option<Type> {
        if field == "__typename" {
            return Type::new("String!");
        }
        self.types.get(on)?.fields.get(field).map(|f| f.ty.clone())
    }
}

impl TypeDef {
    fn new(kind: Kind) -> Self {
        Self {
            kind,
            fields: BTreeMap::new(),
            inputs: BTreeMap::new(),
            members: BTreeSet::new(),
        }
    }
}

/// The name at the bottom of a type (`Program` for `[Program!]!`).
pub fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// Every change from `base` to `new` that can break a client built against `base`, one
/// line each (`Type.field: ...`), sorted.
///
/// Breaking: a type, field, argument, input field, enum value, union member or interface
/// removed; a type changing kind; an output field's type changing in any way but to a
/// stricter one (nullable to non-null); an argument's or input field's type changing in any
/// way but to a looser one (non-null to nullable); a new required argument or input field
/// (non-null without a default). Everything else (additions, descriptions, deprecations) is
/// not.
pub fn breaking_changes(base: &Shape, new: &Shape) -> Vec<String> {
    let mut out = Vec::new();
    for (name, old) in &base.types {
        let Some(now) = new.types.get(name) else {
            out.push(format!("{name}: type removed"));
            continue;
        };
        if old.kind != now.kind {
            out.push(format!(
                "{name}: kind changed from {:?} to {:?}",
                old.kind, now.kind
            ));
            continue;
        }
        for member in old.members.difference(&now.members) {
            let what = match old.kind {
                Kind::Enum => "enum value",
                Kind::Union => "union member",
                _ => "interface",
            };
            out.push(format!("{name}.{member}: {what} removed"));
        }
        for (field, was) in &old.fields {
            let Some(is) = now.fields.get(field) else {
                out.push(format!("{name}.{field}: field removed"));
                continue;
            };
            if !output_compatible(&was.ty, &is.ty) {
                out.push(format!(
                    "{name}.{field}: type changed from {} to {}",
                    was.ty, is.ty
                ));
            }
            inputs_changes(&format!("{name}.{field}"), &was.args, &is.args, &mut out);
        }
        inputs_changes(name, &old.inputs, &now.inputs, &mut out);
    }
    out.sort();
    out
}

fn inputs_changes(
    owner: &str,
    old: &BTreeMap<String, InputDef>,
    new: &BTreeMap<String, InputDef>,
    out: &mut Vec<String>,
) {
    for (name, was) in old {
        match new.get(name) {
            None => out.push(format!("{owner}({name}): removed")),
            Some(is) if !input_compatible(&was.ty, &is.ty) => out.push(format!(
                "{owner}({name}): type changed from {} to {}",
                was.ty, is.ty
            )),
            Some(_) => {}
        }
    }
    for (name, is) in new {
        if !old.contains_key(name) && !is.ty.nullable && !is.has_default {
            out.push(format!("{owner}({name}): new required input"));
        }
    }
}

/// A client reading a value of type `new` where it expected `old` is not surprised: the
/// same type, or a stricter one.
fn output_compatible(old: &Type, new: &Type) -> bool {
    // A non-null value that may now be null.
    if !old.nullable && new.nullable {
        return false;
    }
    match (&old.base, &new.base) {
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        (BaseType::List(a), BaseType::List(b)) => output_compatible(a, b),
        _ => false,
    }
}

/// A value a client sends as `old` is still accepted as `new`: the same type, or a looser one.
fn input_compatible(old: &Type, new: &Type) -> bool {
    // A null the client may send that is now refused.
    if old.nullable && !new.nullable {
        return false;
    }
    match (&old.base, &new.base) {
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        (BaseType::List(a), BaseType::List(b)) => input_compatible(a, b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{Shape, breaking_changes};

    const BASE: &str = r#"
        type Query { a: Int! b(x: Int, y: String!): [String!] c: Color! u: U gone: Int }
        enum Color { RED GREEN }
        union U = Query | Other
        type Other { z: Int }
        input In { p: Int q: Int! }
        type Removed { r: Int }
    "#;

    fn check(new: &str, expected: &[&str]) {
        let base = Shape::parse(BASE).unwrap_or_default();
        let new = Shape::parse(new).unwrap_or_default();
        assert_eq!(breaking_changes(&base, &new), expected);
    }

    #[test]
    fn an_unchanged_or_only_extended_schema_has_no_breaking_change() {
        check(BASE, &[]);
        check(
            r#"
            "described" type Query { a: Int! b(x: Int, y: String!, z: Int, w: Int! = 1): [String!]!
              c: Color! u: U gone: Int @deprecated(reason: "old") more: Int }
            enum Color { RED GREEN BLUE }
            union U = Query | Other | Removed
            type Other { z: Int! }
            input In { p: Int q: Int s: String }
            type Removed { r: Int }
            "#,
            &[],
        );
    }

    #[test]
    fn every_kind_of_breaking_change_is_listed() {
        check(
            r#"
            type Query { a: Int b(x: Int!): [String] c: String! u: U }
            enum Color { RED }
            union U = Query
            type Other { z: String }
            input In { p: [Int] q: Int! r: Int! }
            scalar Removed
            "#,
            &[
                "Color.GREEN: enum value removed",
                "In(p): type changed from Int to [Int]",
                "In(r): new required input",
                "Other.z: type changed from Int to String",
                "Query.a: type changed from Int! to Int",
                "Query.b(x): type changed from Int to Int!",
                "Query.b(y): removed",
                "Query.b: type changed from [String!] to [String]",
                "Query.c: type changed from Color! to String!",
                "Query.gone: field removed",
                "Removed: kind changed from Object to Scalar",
                "U.Other: union member removed",
            ],
        );
    }
}
