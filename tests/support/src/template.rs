//! `infra/template.yaml` as a test sees it: the template's own IAM statements and
//! environments, with every `!Ref` / `!Sub` / `!GetAtt` / `!If` (and the other intrinsics
//! the template uses) resolved to a test's names and ARNs.
//!
//! Physical names come from the template too: a bucket's `BucketName`, a queue's
//! `QueueName`, a function's `FunctionName`, ... resolved with the parameters, so a test
//! creates exactly the resources the template names. An intrinsic the resolver does not
//! know, or a reference to nothing, is an error naming its path in the template.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Value as Json};
use serde_yaml::Value;

use crate::SupportError;

/// Pseudo parameters as moto (and so the tests) see them.
const PARTITION: &str = "aws";
const REGION: &str = "us-east-1";

/// The label of every `AWS::DynamoDB::Table`'s `StreamArn` (`<table ARN>/stream/<label>`):
/// AWS picks a timestamp at deploy time, so the tests see this stand-in.
pub const STREAM_LABEL: &str = "1970-01-01T00:00:00.000";

/// A parsed CloudFormation/SAM template.
pub struct Template {
    path: PathBuf,
    root: Value,
}

/// What every reference of a template resolves to: parameter values, evaluated
/// conditions, and each resource's `Ref` value and attributes.
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    parameters: BTreeMap<String, String>,
    conditions: BTreeMap<String, bool>,
    resources: BTreeMap<String, Physical>,
}

/// A resource's `Ref` value and `!GetAtt` attributes.
#[derive(Debug, Clone, Default)]
pub struct Physical {
    /// What `!Ref` gives (a bucket's name, a queue's URL, a function's name, ...).
    pub reference: String,
    /// `Arn`, `QueueName`, ...
    pub attributes: BTreeMap<String, String>,
}

impl Bindings {
    /// The value of a parameter (after defaults and overrides) or pseudo parameter.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// A resource's physical name and attributes.
    pub fn resource(&self, logical_id: &str) -> Option<&Physical> {
        self.resources.get(logical_id)
    }

    /// `resource(id).attributes[attr]`, or an error naming both.
    pub fn attribute(&self, logical_id: &str, attr: &str) -> Result<&str, SupportError> {
        self.resources
            .get(logical_id)
            .and_then(|p| p.attributes.get(attr))
            .map(String::as_str)
            .ok_or_else(|| SupportError::Template {
                at: format!("Resources.{logical_id}"),
                detail: format!("no attribute {attr}"),
            })
    }
}

fn err(at: &str, detail: impl Into<String>) -> SupportError {
    SupportError::Template {
        at: at.to_string(),
        detail: detail.into(),
    }
}

impl Template {
    /// `infra/template.yaml` of this workspace.
    pub fn load() -> Result<Template, SupportError> {
        Self::load_from(&crate::workspace_root().join("infra").join("template.yaml"))
    }

    /// A template file.
    pub fn load_from(path: &Path) -> Result<Template, SupportError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(&path.display().to_string(), e.to_string()))?;
        Self::parse(&text, path)
    }

    /// A template's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Template, SupportError> {
        let root = serde_yaml::from_str(text)
            .map_err(|e| err(&origin.display().to_string(), e.to_string()))?;
        Ok(Template {
            path: origin.to_path_buf(),
            root,
        })
    }

    /// The resolved `Properties` of a resource (`Null` when it has none).
    pub fn properties(&self, logical_id: &str, b: &Bindings) -> Result<Json, SupportError> {
        let at = format!("Resources.{logical_id}.Properties");
        let node = &self.resource(logical_id)?["Properties"];
        Ok(self.resolve_at(node, b, &at)?.unwrap_or(Json::Null))
    }

    /// The raw YAML of a resource.
    pub fn resource(&self, logical_id: &str) -> Result<&Value, SupportError> {
        self.root["Resources"]
            .get(logical_id)
            .ok_or_else(|| err(&format!("Resources.{logical_id}"), "no such resource"))
    }

    /// Logical ids of every resource of type `ty`.
    pub fn resources_of_type(&self, ty: &str) -> Vec<String> {
        self.root["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|(_, r)| r["Type"].as_str() == Some(ty))
            .filter_map(|(k, _)| k.as_str().map(str::to_string))
            .collect()
    }

    /// Bindings for a stack in moto's account and region: parameter defaults replaced by
    /// `overrides` (an override of a parameter the template does not declare is an
    /// error), conditions evaluated, every resource's physical name resolved from its name
    /// property.
    pub fn bindings(&self, overrides: &[(&str, &str)]) -> Result<Bindings, SupportError> {
        let mut b = Bindings::default();
        for (k, v) in [
            ("AWS::Partition", PARTITION),
            ("AWS::Region", REGION),
            ("AWS::AccountId", crate::moto::ACCOUNT_ID),
            ("AWS::StackName", "test-stack"),
            ("AWS::URLSuffix", "amazonaws.com"),
        ] {
            b.parameters.insert(k.into(), v.into());
        }
        let params = self.root["Parameters"]
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        for (name, decl) in &params {
            let name = name.as_str().unwrap_or_default();
            if let Some(default) = decl.get("Default") {
                b.parameters
                    .insert(name.into(), scalar(default).unwrap_or_default());
            }
        }
        for (name, value) in overrides {
            if params.get(*name).is_none() {
                return Err(err(
                    &format!("{}: Parameters", self.path.display()),
                    format!("override of undeclared parameter {name}"),
                ));
            }
            b.parameters.insert((*name).into(), (*value).into());
        }
        let conditions = self.root["Conditions"]
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        for (name, _) in &conditions {
            let name = name.as_str().unwrap_or_default();
            let v = self.condition(name, &b, 0)?;
            b.conditions.insert(name.into(), v);
        }
        let resources = self.root["Resources"]
            .as_mapping()
            .cloned()
            .unwrap_or_default();
        for (id, r) in &resources {
            let id = id.as_str().unwrap_or_default();
            let physical = self.physical(id, r, &b)?;
            b.resources.insert(id.into(), physical);
        }
        Ok(b)
    }

    fn condition(&self, name: &str, b: &Bindings, depth: usize) -> Result<bool, SupportError> {
        let at = format!("Conditions.{name}");
        if depth > 16 {
            return Err(err(&at, "conditions nest too deep (a cycle?)"));
        }
        let node = self.root["Conditions"]
            .get(name)
            .ok_or_else(|| err(&at, "no such condition"))?;
        self.eval_condition(node, b, &at, depth)
    }

    fn eval_condition(
        &self,
        node: &Value,
        b: &Bindings,
        at: &str,
        depth: usize,
    ) -> Result<bool, SupportError> {
        let (tag, arg) = intrinsic(node).ok_or_else(|| err(at, "expected a condition function"))?;
        let items = arg.as_sequence().cloned().unwrap_or_default();
        match tag.as_str() {
            "Equals" => {
                let side = |v: &Value| self.resolve_at(v, b, at).map(|j| j.map(json_text));
                Ok(side(&items[0])? == side(&items[1])?)
            }
            "Not" => Ok(!self.eval_condition(&items[0], b, at, depth + 1)?),
            "And" | "Or" => {
                let vals = items
                    .iter()
                    .map(|i| self.eval_condition(i, b, at, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if tag == "And" {
                    vals.iter().all(|v| *v)
                } else {
                    vals.iter().any(|v| *v)
                })
            }
            "Condition" => self.condition(arg.as_str().unwrap_or_default(), b, depth + 1),
            other => Err(err(at, format!("unsupported condition function {other}"))),
        }
    }

    fn physical(&self, id: &str, r: &Value, b: &Bindings) -> Result<Physical, SupportError> {
        let ty = r["Type"].as_str().unwrap_or_default();
        let at = format!("Resources.{id}");
        let name = |prop: &str| -> Result<String, SupportError> {
            match r["Properties"].get(prop) {
                Some(v) => self
                    .resolve_at(v, b, &format!("{at}.Properties.{prop}"))
                    .map(|j| j.map(json_text).unwrap_or_else(|| id.to_string())),
                None => Ok(id.to_string()),
            }
        };
        let (p, reg, acct) = (PARTITION, REGION, crate::moto::ACCOUNT_ID);
        let (reference, attrs): (String, Vec<(&str, String)>) = match ty {
            "AWS::S3::Bucket" => {
                let n = name("BucketName")?;
                (n.clone(), vec![("Arn", format!("arn:{p}:s3:::{n}"))])
            }
            "AWS::SQS::Queue" => {
                let n = name("QueueName")?;
                (
                    format!("https://sqs.{reg}.amazonaws.com/{acct}/{n}"),
                    vec![
                        ("Arn", format!("arn:{p}:sqs:{reg}:{acct}:{n}")),
                        ("QueueName", n),
                    ],
                )
            }
            "AWS::Logs::LogGroup" => {
                let n = name("LogGroupName")?;
                (
                    n.clone(),
                    vec![("Arn", format!("arn:{p}:logs:{reg}:{acct}:log-group:{n}:*"))],
                )
            }
            "AWS::Logs::LogStream" => (name("LogStreamName")?, vec![]),
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
                let n = name("FunctionName")?;
                (
                    n.clone(),
                    vec![("Arn", format!("arn:{p}:lambda:{reg}:{acct}:function:{n}"))],
                )
            }
            "AWS::KinesisFirehose::DeliveryStream" => {
                let n = name("DeliveryStreamName")?;
                (
                    n.clone(),
                    vec![(
                        "Arn",
                        format!("arn:{p}:firehose:{reg}:{acct}:deliverystream/{n}"),
                    )],
                )
            }
            "AWS::DynamoDB::Table" => {
                let n = name("TableName")?;
                let arn = format!("arn:{p}:dynamodb:{reg}:{acct}:table/{n}");
                // A stream's label (a timestamp) is known only once the stack is deployed.
                let stream = format!("{arn}/stream/{STREAM_LABEL}");
                (n, vec![("Arn", arn), ("StreamArn", stream)])
            }
            "AWS::IAM::Role" => (
                id.to_string(),
                vec![("Arn", format!("arn:{p}:iam::{acct}:role/{id}"))],
            ),
            t if t.starts_with("AWS::IVSChat::") => {
                let kind = if t.ends_with("Room") {
                    "room"
                } else {
                    "logging-configuration"
                };
                let arn = format!("arn:{p}:ivschat:{reg}:{acct}:{kind}/{id}");
                (arn.clone(), vec![("Arn", arn)])
            }
            _ => (id.to_string(), vec![]),
        };
        Ok(Physical {
            reference,
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        })
    }

    /// Resolves a template value to JSON; `None` is `AWS::NoValue`.
    pub fn resolve(&self, value: &Value, b: &Bindings) -> Result<Option<Json>, SupportError> {
        self.resolve_at(value, b, "")
    }

    fn resolve_at(&self, v: &Value, b: &Bindings, at: &str) -> Result<Option<Json>, SupportError> {
        if let Some((tag, arg)) = intrinsic(v) {
            return self.intrinsic(&tag, &arg, b, at);
        }
        Ok(Some(match v {
            Value::Null => Json::Null,
            Value::Bool(x) => json!(x),
            Value::Number(n) => serde_json::from_str(&n.to_string()).unwrap_or(Json::Null),
            Value::String(s) => json!(s),
            Value::Sequence(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if let Some(j) = self.resolve_at(item, b, &format!("{at}[{i}]"))? {
                        out.push(j);
                    }
                }
                Json::Array(out)
            }
            Value::Mapping(m) => {
                let mut out = serde_json::Map::new();
                for (k, item) in m {
                    let k = scalar(k).unwrap_or_default();
                    if let Some(j) = self.resolve_at(item, b, &format!("{at}.{k}"))? {
                        out.insert(k, j);
                    }
                }
                Json::Object(out)
            }
            Value::Tagged(t) => return Err(err(at, format!("unknown tag {}", t.tag))),
        }))
    }

    fn intrinsic(
        &self,
        tag: &str,
        arg: &Value,
        b: &Bindings,
        at: &str,
    ) -> Result<Option<Json>, SupportError> {
        let items = || arg.as_sequence().cloned().unwrap_or_default();
        let text_of = |v: &Value| -> Result<String, SupportError> {
            Ok(self
                .resolve_at(v, b, at)?
                .map(json_text)
                .unwrap_or_default())
        };
        match tag {
            "Ref" => {
                let name = arg.as_str().unwrap_or_default();
                if name == "AWS::NoValue" {
                    return Ok(None);
                }
                self.reference(name, b, at).map(|s| Some(json!(s)))
            }
            "GetAtt" => {
                let (res, attr) = match arg {
                    Value::String(s) => s
                        .split_once('.')
                        .map(|(r, a)| (r.to_string(), a.to_string()))
                        .ok_or_else(|| err(at, format!("!GetAtt {s}: expected Resource.Attr")))?,
                    _ => {
                        let it = items();
                        (
                            scalar(&it[0]).unwrap_or_default(),
                            scalar(&it[1]).unwrap_or_default(),
                        )
                    }
                };
                b.attribute(&res, &attr)
                    .map_err(|e| err(at, e.to_string()))
                    .map(|s| Some(json!(s)))
            }
            "Sub" => {
                let (text, vars) = match arg {
                    Value::String(s) => (s.clone(), BTreeMap::new()),
                    _ => {
                        let it = items();
                        let mut vars = BTreeMap::new();
                        for (k, v) in it[1].as_mapping().into_iter().flatten() {
                            vars.insert(scalar(k).unwrap_or_default(), text_of(v)?);
                        }
                        (scalar(&it[0]).unwrap_or_default(), vars)
                    }
                };
                self.substitute(&text, &vars, b, at).map(|s| Some(json!(s)))
            }
            "If" => {
                let it = items();
                let cond = scalar(&it[0]).unwrap_or_default();
                let chosen = *b
                    .conditions
                    .get(&cond)
                    .ok_or_else(|| err(at, format!("!If on unknown condition {cond}")))?;
                self.resolve_at(if chosen { &it[1] } else { &it[2] }, b, at)
            }
            "Join" => {
                let it = items();
                let sep = scalar(&it[0]).unwrap_or_default();
                let parts = self.resolve_at(&it[1], b, at)?.unwrap_or(Json::Null);
                let parts: Vec<String> = parts
                    .as_array()
                    .into_iter()
                    .flatten()
                    .cloned()
                    .map(json_text)
                    .collect();
                Ok(Some(json!(parts.join(&sep))))
            }
            "Split" => {
                let it = items();
                let sep = scalar(&it[0]).unwrap_or_default();
                let s = text_of(&it[1])?;
                Ok(Some(json!(s.split(sep.as_str()).collect::<Vec<_>>())))
            }
            "Select" => {
                let it = items();
                let i: usize = text_of(&it[0])?.parse().unwrap_or(usize::MAX);
                let list = self.resolve_at(&it[1], b, at)?.unwrap_or(Json::Null);
                list.get(i)
                    .cloned()
                    .map(Some)
                    .ok_or_else(|| err(at, format!("!Select {i}: out of range")))
            }
            other => Err(err(at, format!("unsupported intrinsic {other}"))),
        }
    }

    fn reference(&self, name: &str, b: &Bindings, at: &str) -> Result<String, SupportError> {
        if let Some(v) = b.parameters.get(name) {
            return Ok(v.clone());
        }
        if let Some(r) = b.resources.get(name) {
            return Ok(r.reference.clone());
        }
        Err(err(at, format!("reference to unknown {name}")))
    }

    /// `!Sub` text: `${Name}`, `${Resource.Attr}`, `${!Literal}`.
    fn substitute(
        &self,
        text: &str,
        vars: &BTreeMap<String, String>,
        b: &Bindings,
        at: &str,
    ) -> Result<String, SupportError> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| err(at, format!("unclosed ${{ in {text:?}")))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str(&format!("${{{literal}}}"));
            } else if let Some(v) = vars.get(name) {
                out.push_str(v);
            } else if let Some((res, attr)) = name.split_once('.') {
                out.push_str(b.attribute(res, attr).map_err(|e| err(at, e.to_string()))?);
            } else {
                out.push_str(&self.reference(name, b, at)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The policy document a role grants: every statement of every inline policy of
    /// `role` (an `AWS::IAM::Role`), resolved, in template order, as one document.
    pub fn role_policy(&self, role: &str, b: &Bindings) -> Result<Json, SupportError> {
        let at = format!("Resources.{role}.Properties.Policies");
        let node = &self.resource(role)?["Properties"]["Policies"];
        let policies = self.resolve_at(node, b, &at)?.unwrap_or(Json::Null);
        let mut statements = Vec::new();
        for p in policies.as_array().into_iter().flatten() {
            let doc = &p["PolicyDocument"];
            match &doc["Statement"] {
                Json::Array(s) => statements.extend(s.iter().cloned()),
                Json::Object(_) => statements.push(doc["Statement"].clone()),
                _ => return Err(err(&at, format!("policy without statements: {p}"))),
            }
        }
        if statements.is_empty() {
            return Err(err(&at, "the role grants nothing"));
        }
        Ok(json!({"Version": "2012-10-17", "Statement": statements}))
    }

    /// A function's `Environment.Variables`, resolved.
    pub fn function_env(
        &self,
        function: &str,
        b: &Bindings,
    ) -> Result<Vec<(String, String)>, SupportError> {
        let at = format!("Resources.{function}.Properties.Environment.Variables");
        let node = &self.resource(function)?["Properties"]["Environment"]["Variables"];
        let vars = self.resolve_at(node, b, &at)?.unwrap_or(Json::Null);
        Ok(vars
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), json_text(v.clone())))
            .collect())
    }

    /// A policy document file (JSON) whose strings use `!Sub` syntax (`${LogBucket}`,
    /// `${AWS::Partition}`, ...), resolved against this template's bindings.
    pub fn resolve_policy_file(&self, path: &Path, b: &Bindings) -> Result<Json, SupportError> {
        let at = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| err(&at, e.to_string()))?;
        let doc: Json = serde_json::from_str(&text).map_err(|e| err(&at, e.to_string()))?;
        self.sub_strings(doc, b, &at)
    }

    fn sub_strings(&self, v: Json, b: &Bindings, at: &str) -> Result<Json, SupportError> {
        Ok(match v {
            Json::String(s) => json!(self.substitute(&s, &BTreeMap::new(), b, at)?),
            Json::Array(items) => Json::Array(
                items
                    .into_iter()
                    .map(|i| self.sub_strings(i, b, at))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m {
                    out.insert(k, self.sub_strings(v, b, at)?);
                }
                Json::Object(out)
            }
            other => other,
        })
    }
}

/// `(name, argument)` of a short-form (`!Sub x`) or long-form (`{"Fn::Sub": x}`, `{Ref: x}`)
/// intrinsic or condition function.
fn intrinsic(v: &Value) -> Option<(String, Value)> {
    match v {
        Value::Tagged(t) => Some((
            t.tag.to_string().trim_start_matches('!').to_string(),
            t.value.clone(),
        )),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next()?;
            let k = k.as_str()?;
            let name = if k == "Ref" || k == "Condition" {
                k
            } else {
                k.strip_prefix("Fn::")?
            };
            Some((name.to_string(), arg.clone()))
        }
        _ => None,
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn json_text(v: Json) -> String {
    match v {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(yaml: &str) -> Template {
        Template::parse(yaml, Path::new("test.yaml")).unwrap()
    }

    #[test]
    fn resolves_refs_subs_getatts_and_conditions() {
        let t = template(
            "Parameters:\n  Prefix: {Type: String, Default: p}\n  Bucket: {Type: String, Default: ''}\n\
             Conditions:\n  HasBucket: !Not [!Equals [!Ref Bucket, '']]\n\
             Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Sub '${Prefix}-logs-${AWS::AccountId}'}\n  \
             R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyDocument:\n            Statement:\n              \
             - {Effect: Allow, Action: s3:GetObject, Resource: !Sub '${B.Arn}/x/*'}\n        \
             - !If [HasBucket, {PolicyDocument: {Statement: [{Effect: Allow, Action: s3:PutObject, Resource: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/${!literal}'}]}}, !Ref AWS::NoValue]\n",
        );
        let b = t.bindings(&[]).unwrap();
        assert_eq!(b.resource("B").unwrap().reference, "p-logs-123456789012");
        let doc = t.role_policy("R", &b).unwrap();
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
        assert_eq!(
            doc["Statement"][0]["Resource"],
            "arn:aws:s3:::p-logs-123456789012/x/*"
        );
        let b = t.bindings(&[("Bucket", "rules")]).unwrap();
        let doc = t.role_policy("R", &b).unwrap();
        assert_eq!(
            doc["Statement"][1]["Resource"],
            "arn:aws:s3:::rules/${literal}"
        );
        assert!(t.bindings(&[("Nope", "x")]).is_err());
    }

    #[test]
    fn unknown_references_are_errors_with_their_path() {
        let t = template(
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyDocument:\n            Statement:\n              \
             - {Effect: Allow, Action: s3:GetObject, Resource: !GetAtt Missing.Arn}\n",
        );
        let b = t.bindings(&[]).unwrap();
        let e = t.role_policy("R", &b).unwrap_err().to_string();
        assert!(
            e.contains("Resources.R.Properties.Policies[0]") && e.contains("Missing"),
            "{e}"
        );
    }
}
