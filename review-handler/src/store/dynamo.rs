//! The DynamoDB state store: every [`Op`] as one `UpdateItem`, `GetItem` or `PutItem` on
//! the layout of [`super::items`], the ops of one phase sent concurrently.
//!
//! A writing op first tries its fast path ([`items::fast_update`]: one conditional
//! `UpdateItem`). When the condition fails (an expired item not yet deleted by TTL, an
//! expiry that would shrink, a full message log, a stale strikes guard), DynamoDB returns
//! the old item (`ReturnValuesOnConditionCheckFailure=ALL_OLD`; no item means there was
//! none), the pure [`items::slow`] computes the memory store's answer and the new item,
//! and a `PutItem` conditioned on the old version writes it. A lost race (the version
//! moved) starts the op over, at most [`MAX_ATTEMPTS`] times.

use std::sync::Arc;

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use rules::state::{Answer, Millis, Op};

use super::items::{self, Item};
use crate::HandlerError;

/// Tries of one op (fast path or read, then slow path) before it fails as contended.
pub const MAX_ATTEMPTS: usize = 4;

/// A DynamoDB table holding the state of stateful rules. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: Arc<str>,
}

/// What a conditional `UpdateItem` came back with.
enum Updated {
    /// Applied; the attributes it returned.
    Applied(Option<Item>),
    /// The condition failed; the item as it was (`None`: absent).
    Failed(Option<Item>),
}

impl DynamoStore {
    /// A store on `table` through `client`.
    pub fn new(client: Client, table: impl Into<Arc<str>>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Answers `ops` as of `now`: one [`Answer`] per op, in order. Ops on different items
    /// go concurrently; ops on the same item go one after the other in their order, so
    /// the answers are the memory store's for the same sequence.
    pub async fn apply(&self, ops: &[Op], now: Millis) -> Result<Vec<Answer>, HandlerError> {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let pk = items::pk(op);
            match groups.iter_mut().find(|(k, _)| *k == pk) {
                Some((_, idx)) => idx.push(i),
                None => groups.push((pk, vec![i])),
            }
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (_, idx) in groups {
            let store = self.clone();
            let group: Vec<(usize, Op)> = idx.into_iter().map(|i| (i, ops[i].clone())).collect();
            tasks.spawn(async move {
                let mut out = Vec::with_capacity(group.len());
                for (i, op) in group {
                    out.push((i, store.apply_one(&op, now).await?));
                }
                Ok::<_, HandlerError>(out)
            });
        }
        let mut answers: Vec<Option<Answer>> = vec![None; ops.len()];
        while let Some(joined) = tasks.join_next().await {
            let group = joined.map_err(|e| self.error("apply", format!("task failed: {e}")))??;
            for (i, a) in group {
                answers[i] = Some(a);
            }
        }
        answers
            .into_iter()
            .map(|a| a.ok_or_else(|| self.error("apply", "an op went unanswered".into())))
            .collect()
    }

    async fn apply_one(&self, op: &Op, now: Millis) -> Result<Answer, HandlerError> {
        let pk = items::pk(op);
        if let Op::Disconnect { .. } = op {
            self.put(items::disconnect_item(op), None).await?;
            return Ok(Answer::Done);
        }
        for _ in 0..MAX_ATTEMPTS {
            let old = match items::fast_update(op, now) {
                Some(update) => match self.update(&pk, update).await? {
                    Updated::Applied(returned) => {
                        return Ok(items::fast_answer(op, returned.as_ref(), now))
                    }
                    Updated::Failed(old) => old,
                },
                None => self.get(&pk).await?,
            };
            let slow = items::slow(op, old.as_ref(), now);
            let Some(put) = slow.put else {
                return Ok(slow.answer);
            };
            if self.put(put, Some(old.as_ref())).await? {
                return Ok(slow.answer);
            }
        }
        Err(self.error(
            op_name(op),
            format!("item changed under {MAX_ATTEMPTS} tries"),
        ))
    }

    async fn update(&self, pk: &str, u: items::Update) -> Result<Updated, HandlerError> {
        let returns = if u.returns_old {
            ReturnValue::AllOld
        } else {
            ReturnValue::AllNew
        };
        let sent = self
            .client
            .update_item()
            .table_name(&*self.table)
            .key("pk", items::s(pk))
            .update_expression(u.update)
            .condition_expression(u.condition)
            .set_expression_attribute_names(Some(u.names))
            .set_expression_attribute_values(Some(u.values))
            .return_values(returns)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match sent {
            Ok(out) => Ok(Updated::Applied(out.attributes)),
            Err(SdkError::ServiceError(e)) => match e.into_err() {
                UpdateItemError::ConditionalCheckFailedException(c) => Ok(Updated::Failed(c.item)),
                other => Err(self.error("UpdateItem", DisplayErrorContext(other).to_string())),
            },
            Err(e) => Err(self.error("UpdateItem", DisplayErrorContext(e).to_string())),
        }
    }

    async fn get(&self, pk: &str) -> Result<Option<Item>, HandlerError> {
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .key("pk", items::s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.error("GetItem", DisplayErrorContext(e).to_string()))?;
        Ok(out.item)
    }

    /// Puts `item`; with `expected = Some(old)`, only if the item's version is still
    /// `old`'s (absent when `old` is `None`). Returns whether it was written.
    async fn put(&self, item: Item, expected: Option<Option<&Item>>) -> Result<bool, HandlerError> {
        let mut put = self
            .client
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(item));
        match expected {
            None => {}
            Some(None) => {
                put = put
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", "pk");
            }
            Some(Some(old)) => {
                put = put
                    .condition_expression("#v = :v")
                    .expression_attribute_names("#v", "v")
                    .expression_attribute_values(":v", items::n(items::version(old)));
            }
        }
        match put.send().await {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(self.error("PutItem", DisplayErrorContext(e).to_string())),
        }
    }

    fn error(&self, call: &'static str, detail: String) -> HandlerError {
        HandlerError::Store {
            table: self.table.to_string(),
            call,
            detail,
        }
    }
}

/// Creates a table with the store's key schema (`pk`, a string partition key, no sort
/// key; on-demand), for local stand-ins: tests, benchmarks, a local demo. In AWS the table
/// (with its TTL, point-in-time recovery and stream) comes from `infra/template.yaml`.
pub async fn create_table(client: &Client, name: &str) -> Result<(), HandlerError> {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    let err = |detail: String| HandlerError::Store {
        table: name.to_string(),
        call: "CreateTable",
        detail,
    };
    let key = AttributeDefinition::builder()
        .attribute_name("pk")
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| err(e.to_string()))?;
    let schema = KeySchemaElement::builder()
        .attribute_name("pk")
        .key_type(KeyType::Hash)
        .build()
        .map_err(|e| err(e.to_string()))?;
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(key)
        .key_schema(schema)
        .send()
        .await
        .map_err(|e| err(DisplayErrorContext(e).to_string()))?;
    Ok(())
}

/// The op's name, for errors (never its keys: they hold user ids).
pub fn op_name(op: &Op) -> &'static str {
    match op {
        Op::Touch { .. } => "Touch",
        Op::Join { .. } => "Join",
        Op::Count { .. } => "Count",
        Op::Room { .. } => "Room",
        Op::SetUser { .. } => "SetUser",
        Op::SetRoom { .. } => "SetRoom",
        Op::Alias { .. } => "Alias",
        Op::Lookup { .. } => "Lookup",
        Op::Disconnect { .. } => "Disconnect",
    }
}
