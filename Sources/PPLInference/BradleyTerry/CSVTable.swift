/// A CSV file read into rows of fields, each row remembering its line (RFC 4180 subset).
///
/// Fields are separated by commas; a field may be wrapped in double quotes, inside
/// which commas, line breaks and doubled quotes ("") are literal. Lines end in LF or
/// CRLF; blank lines are skipped. The first row is the header.
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// 1-based line number where each row starts.
    public var lines: [Int]
    public var fileName: String

    public struct ParseError: Error, Sendable, CustomStringConvertible, Equatable {
        public var fileName: String
        public var line: Int
        public var message: String
        public var description: String { "\(fileName):\(line): error: \(message)" }
    }

    public init(parsing text: String, fileName: String = "<input>") throws(ParseError) {
        self.fileName = fileName
        var records: [[String]] = []
        var recordLines: [Int] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quotedField = false
        var afterQuote = false
        let bytes = Array(text.utf8)
        var k = 0
        func finishField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quotedField = false
            afterQuote = false
        }
        while k < bytes.count {
            let b = bytes[k]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if k + 1 < bytes.count && bytes[k + 1] == UInt8(ascii: "\"") {
                        field.append(b); k += 2; continue
                    }
                    inQuotes = false
                    afterQuote = true
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
                k += 1
                continue
            }
            switch b {
            case UInt8(ascii: ","):
                finishField()
            case UInt8(ascii: "\r") where k + 1 < bytes.count && bytes[k + 1] == UInt8(ascii: "\n"):
                break
            case UInt8(ascii: "\n"):
                if !(fields.isEmpty && field.isEmpty && !quotedField) {
                    finishField()
                    records.append(fields); recordLines.append(recordLine)
                    fields.removeAll()
                }
                line += 1
                recordLine = line
            case UInt8(ascii: "\""):
                guard field.isEmpty && !quotedField else {
                    throw ParseError(fileName: fileName, line: line,
                                     message: "stray double quote inside an unquoted field; wrap the field in quotes and double the quote (\"\")")
                }
                inQuotes = true
                quotedField = true
            default:
                if afterQuote {
                    throw ParseError(fileName: fileName, line: line,
                                     message: "text after the closing quote of a field; expected ',' or the end of the line")
                }
                field.append(b)
            }
            k += 1
        }
        if inQuotes {
            throw ParseError(fileName: fileName, line: recordLine, message: "unterminated quoted field (the quote opened in this record never closes)")
        }
        if !(fields.isEmpty && field.isEmpty && !quotedField) {
            finishField()
            records.append(fields); recordLines.append(recordLine)
        }
        guard let first = records.first else {
            throw ParseError(fileName: fileName, line: 1, message: "the file is empty; expected a header row such as 'winner,loser'")
        }
        header = first.map { $0.trimmingSpaces() }
        rows = Array(records.dropFirst())
        lines = Array(recordLines.dropFirst())
        for (r, row) in rows.enumerated() where row.count != header.count {
            throw ParseError(fileName: fileName, line: lines[r],
                             message: "row has \(row.count) fields but the header has \(header.count)")
        }
    }

    /// The column named `name` (exact, then case-insensitive).
    public func column(named name: String) -> Int? {
        header.firstIndex(of: name) ?? header.firstIndex { $0.lowercased() == name.lowercased() }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
