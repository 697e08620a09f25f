/// Where the daemon is in `changefeed.changes`, and which ids it may still see.
///
/// Feed ids come from a sequence, so they are handed out in insert order but become visible in
/// commit order: after reading 11, an uncommitted 10 can still appear. Such missing ids are kept as
/// holes, each tagged with the snapshot's xmax when it was noticed, and read again with every fetch
/// until a snapshot's xmin passes the tag: then every transaction that could have written it has
/// ended (committed rows are visible to that very fetch; the rest rolled back).
struct FeedCursor: Sendable {
    /// Ids above this are new.
    private(set) var last: Int64
    /// Missing ids below `last` → the xmax (as a 64-bit xid) of the snapshot that noticed them.
    private(set) var holes: [Int64: UInt64] = [:]
    static let holeLimit = 100_000

    init(last: Int64) {
        self.last = last
    }

    /// Takes one fetch's rows (ascending ids) with its snapshot's xmin and xmax; returns the rows
    /// not delivered before, in id order.
    mutating func advance(rows: [FeedChange], xmin: UInt64, xmax: UInt64) -> [FeedChange] {
        var fresh: [FeedChange] = []
        for row in rows {
            if row.id <= last {
                if holes.removeValue(forKey: row.id) != nil { fresh.append(row) }
                continue
            }
            if row.id > last + 1, holes.count < Self.holeLimit {
                for missing in (last + 1)..<row.id where holes.count < Self.holeLimit { holes[missing] = xmax }
            }
            last = row.id
            fresh.append(row)
        }
        holes = holes.filter { $0.value > xmin }
        return fresh
    }

    var pendingHoles: [Int64] { Array(holes.keys) }
}
