/// A named source text with a line table, so spans can be shown as `file:line:col`.
public struct SourceFile: Sendable, Hashable {
    public let name: String
    public let text: String
    /// UTF-8 offsets at which each line starts.
    public let lineStarts: [Int]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        var starts = [0]
        var offset = 0
        for byte in text.utf8 {
            offset += 1
            if byte == UInt8(ascii: "\n") { starts.append(offset) }
        }
        self.lineStarts = starts
    }

    /// 1-based line and column (in UTF-8 bytes) of a UTF-8 offset.
    public func location(of offset: Int) -> SourceLocation {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return SourceLocation(file: name, line: low + 1, column: offset - lineStarts[low] + 1)
    }

    /// The text of a 1-based line, without its newline.
    public func line(_ number: Int) -> Substring {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: lineStarts[number - 1])
        var end = start
        while end != utf8.endIndex, utf8[end] != UInt8(ascii: "\n") { end = utf8.index(after: end) }
        return text[start..<end]
    }
}

/// A point in a source file, 1-based, as people read it.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A half-open range of UTF-8 offsets into one source file.
public struct SourceSpan: Sendable, Hashable {
    public var file: SourceFile
    public var start: Int
    public var end: Int

    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    public var location: SourceLocation { file.location(of: start) }

    /// The smallest span covering both.
    public func merged(with other: SourceSpan) -> SourceSpan {
        SourceSpan(file: file, start: min(start, other.start), end: max(end, other.end))
    }

    public var text: Substring {
        let utf8 = file.text.utf8
        let s = utf8.index(utf8.startIndex, offsetBy: min(start, utf8.count))
        let e = utf8.index(utf8.startIndex, offsetBy: min(end, utf8.count))
        return file.text[s..<e]
    }

    // Spans compare by position; the file is identified by name so that
    // hashing a span does not hash the whole source text.
    public static func == (a: SourceSpan, b: SourceSpan) -> Bool {
        a.start == b.start && a.end == b.end && a.file.name == b.file.name
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(file.name)
        hasher.combine(start)
        hasher.combine(end)
    }
}
