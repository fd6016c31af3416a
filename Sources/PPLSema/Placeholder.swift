// PPLSema: code lands with its issue.
