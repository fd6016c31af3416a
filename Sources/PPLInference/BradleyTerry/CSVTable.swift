/// A CSV file read into rows of fields, each row remembering its line (RFC 4180 subset).
///
/// Fields are separated by commas; a field may be wrapped in double quotes, inside
/// which commas, line breaks and doubled quotes ("") are literal. Lines end in LF or
/// CRLF; blank lines are skipped. The first row is the header. Fields are stored
/// flat, row after row, so a million-row file costs one array, not a million.
public struct CSVTable: Sendable {
    public var header: [String]
    /// Every field of every data row, row-major (`rowCount * header.count` of them).
    public var fields: [String]
    /// 1-based line number where each row starts.
    public var lines: [Int]
    public var fileName: String

    public struct ParseError: Error, Sendable, CustomStringConvertible, Equatable {
        public var fileName: String
        public var line: Int
        public var message: String
        public var description: String { "\(fileName):\(line): error: \(message)" }
    }

    public var rowCount: Int { lines.count }
    public var columnCount: Int { header.count }

    public subscript(row: Int, column: Int) -> String { fields[row * header.count + column] }

    /// The data rows as arrays (convenient for small tables and tests).
    public var rows: [[String]] { (0..<rowCount).map { Array(fields[($0 * columnCount)..<(($0 + 1) * columnCount)]) } }

    /// The table with only the rows `keep` (in that order), line numbers kept.
    public func selecting(rows keep: [Int]) -> CSVTable {
        var copy = self
        copy.fields = keep.flatMap { fields[($0 * columnCount)..<(($0 + 1) * columnCount)] }
        copy.lines = keep.map { lines[$0] }
        return copy
    }

    public init(parsing text: String, fileName: String = "<input>") throws(ParseError) {
        var text = text
        let parsed: Result<([String], [Int], Int), ParseError> = text.withUTF8 { bytes in
            do throws(ParseError) { return .success(try Self.parse(bytes, fileName: fileName)) } catch { return .failure(error) }
        }
        let (all, recordLines, headerCount) = try parsed.get()
        self.fileName = fileName
        header = all.prefix(headerCount).map { $0.trimmingSpaces() }
        fields = Array(all.dropFirst(headerCount))
        lines = Array(recordLines.dropFirst())
    }

    /// One pass over the bytes; returns the fields flat, each record's first line, and the header's width.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, fileName: String) throws(ParseError) -> ([String], [Int], Int) {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        var fields: [String] = []
        var recordLines: [Int] = []
        var width = -1
        var recordFieldCount = 0
        var line = 1
        var recordLine = 1
        var k = 0
        let n = bytes.count
        var unquoted: [UInt8] = []
        while k < n {
            // A blank line (or a lone CR LF) is not a record.
            if bytes[k] == newline { line += 1; recordLine = line; k += 1; continue }
            if bytes[k] == carriage && k + 1 < n && bytes[k + 1] == newline { line += 1; recordLine = line; k += 2; continue }
            // One record: fields until an unquoted line end or the end of the text.
            recordFieldCount = 0
            while true {
                if k < n && bytes[k] == quote {
                    let openedOn = line
                    unquoted.removeAll(keepingCapacity: true)
                    k += 1
                    var closed = false
                    while k < n {
                        let b = bytes[k]
                        if b == quote {
                            if k + 1 < n && bytes[k + 1] == quote { unquoted.append(quote); k += 2; continue }
                            closed = true; k += 1; break
                        }
                        if b == newline { line += 1 }
                        unquoted.append(b)
                        k += 1
                    }
                    guard closed else {
                        throw ParseError(fileName: fileName, line: openedOn,
                                         message: "unterminated quoted field (the quote opened on this line never closes)")
                    }
                    fields.append(String(decoding: unquoted, as: UTF8.self))
                    if k < n && bytes[k] != comma && bytes[k] != newline && !(bytes[k] == carriage && k + 1 < n && bytes[k + 1] == newline) {
                        throw ParseError(fileName: fileName, line: line,
                                         message: "text after the closing quote of a field; expected ',' or the end of the line")
                    }
                } else {
                    let start = k
                    while k < n {
                        let b = bytes[k]
                        if b == comma || b == newline || (b == carriage && k + 1 < n && bytes[k + 1] == newline) { break }
                        if b == quote {
                            throw ParseError(fileName: fileName, line: line,
                                             message: "stray double quote inside an unquoted field; wrap the field in quotes and double the quote (\"\")")
                        }
                        k += 1
                    }
                    fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<k]), as: UTF8.self))
                }
                recordFieldCount += 1
                if k < n && bytes[k] == comma { k += 1; continue }
                break
            }
            if width < 0 { width = recordFieldCount } else if recordFieldCount != width {
                throw ParseError(fileName: fileName, line: recordLine, message: "row has \(recordFieldCount) fields but the header has \(width)")
            }
            recordLines.append(recordLine)
            if k < n && bytes[k] == carriage { k += 1 }
            if k < n && bytes[k] == newline { k += 1 }
            line += 1
            recordLine = line
        }
        guard width >= 0 else {
            throw ParseError(fileName: fileName, line: 1, message: "the file is empty; expected a header row such as 'winner,loser'")
        }
        return (fields, recordLines, width)
    }

    /// The column named `name` (exact, then case-insensitive).
    public func column(named name: String) -> Int? {
        header.firstIndex(of: name) ?? header.firstIndex { $0.lowercased() == name.lowercased() }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs; returns self untouched in the common case of none.
    func trimmingSpaces() -> String {
        let u = utf8
        guard let first = u.first, let last = u.last else { return self }
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        guard first == space || first == tab || last == space || last == tab else { return self }
        var s = Substring(self)
        while let c = s.utf8.first, c == space || c == tab { s = s.dropFirst() }
        while let c = s.utf8.last, c == space || c == tab { s = s.dropLast() }
        return String(s)
    }
}
