// PPLInterpreter: code lands with its issue.
