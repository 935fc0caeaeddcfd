"""WTForms classes: input shape, coercion and Dutch messages only. No database writes, no decisions."""
