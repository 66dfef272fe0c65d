"""Write-back to Salesforce as the agent: the client (simple-salesforce with the agent's Canvas
OAuth token), the durable outbox every write goes through, and the pickers' searches."""
