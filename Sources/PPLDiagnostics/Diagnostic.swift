/// A message about the user's program, with the place it concerns.
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning, note
    }

    /// A secondary message attached to a diagnostic: a hint, a did-you-mean, a related place.
    public struct Note: Sendable, Hashable {
        public var message: String
        public var span: SourceSpan?
        public init(_ message: String, at span: SourceSpan? = nil) {
            self.message = message
            self.span = span
        }
    }

    public var severity: Severity
    public var message: String
    public var span: SourceSpan?
    public var notes: [Note]

    public init(_ severity: Severity, _ message: String, at span: SourceSpan?, notes: [Note] = []) {
        self.severity = severity
        self.message = message
        self.span = span
        self.notes = notes
    }

    public static func error(_ message: String, at span: SourceSpan?, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.error, message, at: span, notes: notes)
    }

    public static func warning(_ message: String, at span: SourceSpan?, notes: [Note] = []) -> Diagnostic {
        Diagnostic(.warning, message, at: span, notes: notes)
    }

    /// `file:line:col: error: message`, the one-line form used in logs and tests.
    public var description: String {
        if let span { return "\(span.location): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }
}

/// Several diagnostics reported together, thrown by a phase that found errors.
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
