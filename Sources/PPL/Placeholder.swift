// PPL: code lands with its issue.
