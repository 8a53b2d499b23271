//! The table created as the deployment template defines it, for local servers and tests.

use super::DynamoStore;
use crate::store::schema::{KeyPart, TableDefinition};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

impl DynamoStore {
    /// Creates the table as the deployment template defines it (for local servers and tests).
    pub async fn create_table(&self) -> anyhow::Result<()> {
        let def = TableDefinition::project();
        let key_element = |k: &KeyPart| {
            KeySchemaElement::builder()
                .attribute_name(&k.name)
                .key_type(k.key_type.as_str().into())
                .build()
        };
        let mut req = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest);
        for (name, ty) in &def.attributes {
            req = req.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::from(ty.as_str()))
                    .build()?,
            );
        }
        for k in &def.key {
            req = req.key_schema(key_element(k)?);
        }
        for index in &def.indexes {
            let mut gsi = GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(index.projection.as_str()))
                        .build(),
                );
            for k in &index.key {
                gsi = gsi.key_schema(key_element(k)?);
            }
            req = req.global_secondary_indexes(gsi.build()?);
        }
        req.send().await?;
        if let Some(ttl) = &def.ttl_attribute {
            self.client
                .update_time_to_live()
                .table_name(&self.table)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(ttl)
                        .enabled(true)
                        .build()?,
                )
                .send()
                .await?;
        }
        Ok(())
    }
}
