// PPLPasses: code lands with its issue.
