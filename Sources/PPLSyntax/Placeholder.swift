// PPLSyntax: code lands with its issue.
