// PPLIR: code lands with its issue.
