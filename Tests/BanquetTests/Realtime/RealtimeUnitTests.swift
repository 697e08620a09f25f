import BanquetCore
import Foundation
@testable import Gateway
import Testing

@Suite("Realtime feed position")
struct FeedCursorTests {
    func change(_ id: Int64) -> FeedChange {
        FeedChange(id: id, commitTimestamp: "2026-11-29T10:00:00.000000Z", table: "bookings", op: .update, organization: UUID(), recordID: UUID(), user: nil, image: nil)
    }

    @Test("an id skipped because its transaction had not committed is delivered when it appears")
    func lateCommitIsDelivered() {
        var cursor = FeedCursor(last: 10)
        // 11 is still uncommitted (xid 500 running): 12 arrives first.
        #expect(cursor.advance(rows: [change(12)], xmin: 500, xmax: 510).map(\.id) == [12])
        #expect(cursor.pendingHoles == [11])
        // 11 commits; the next fetch reads it again by id.
        #expect(cursor.advance(rows: [change(11), change(13)], xmin: 505, xmax: 520).map(\.id) == [11, 13])
        #expect(cursor.pendingHoles.isEmpty)
        // Already delivered ids are never delivered twice.
        #expect(cursor.advance(rows: [change(12), change(13)], xmin: 520, xmax: 521).isEmpty)
    }

    @Test("a hole is forgotten once every transaction running when it was noticed has ended")
    func rolledBackHoleIsForgotten() {
        var cursor = FeedCursor(last: 0)
        _ = cursor.advance(rows: [change(3)], xmin: 100, xmax: 105)
        #expect(Set(cursor.pendingHoles) == [1, 2])
        _ = cursor.advance(rows: [], xmin: 104, xmax: 110)
        #expect(Set(cursor.pendingHoles) == [1, 2], "xid 104 may still write them")
        _ = cursor.advance(rows: [], xmin: 105, xmax: 110)
        #expect(cursor.pendingHoles.isEmpty, "every xid below 105 has ended: 1 and 2 were rolled back")
    }
}

@Suite("Realtime postgres_changes bindings")
struct PostgresChangesBindingTests {
    let columns = ColumnCatalog.Snapshot(byTable: [.bookings: [.init(name: "id", type: "uuid"), .init(name: "status", type: "text"), .init(name: "guest_count", type: "int4")]])

    func binding(_ json: String) throws -> PostgresChangesBinding {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return try PostgresChangesBinding.parse(value, id: 7, columns: columns)
    }

    @Test("eq, neq and in filters compare the row's values as text")
    func filters() throws {
        let row: [String: JSONValue] = ["id": .string("b1"), "status": .string("held"), "guest_count": .number(20)]
        #expect(try RowFilter.parse("status=eq.held").passes(row))
        #expect(try !RowFilter.parse("status=neq.held").passes(row))
        #expect(try RowFilter.parse("guest_count=in.(10,20)").passes(row))
        #expect(try !RowFilter.parse("guest_count=in.(10,30)").passes(row))
        #expect(try !RowFilter.parse("missing=eq.x").passes(row), "a column the row lacks never passes")
    }

    @Test("bad bindings are refused with the message the client shows")
    func badBindings() throws {
        #expect(throws: BindingError.self) { try binding(#"{"event": "*", "schema": "app", "table": "secrets"}"#) }
        #expect(throws: BindingError.self) { try binding(#"{"event": "*", "schema": "app", "table": "bookings", "filter": "nope=eq.1"}"#) }
        #expect(throws: BindingError.self) { try binding(#"{"event": "TRUNCATE", "schema": "app", "table": "bookings"}"#) }
        #expect(throws: BindingError.self) { try binding(#"{"event": "*", "schema": "app", "table": "bookings", "filter": "status=like.h%"}"#) }
        let ok = try binding(#"{"event": "UPDATE", "schema": "app", "table": "bookings", "filter": "status=eq.held"}"#)
        #expect(ok.matches(table: .bookings, op: .update) && !ok.matches(table: .bookings, op: .insert) && !ok.matches(table: .payments, op: .update))
    }

    @Test("a notification addressed to one member is that member's group; every other change is its organization's")
    func audiences() {
        let org = UUID(), user = UUID()
        #expect(WatchedTable.notifications.audience(organization: org, addressedUser: user) == .member(organization: org, user: user))
        #expect(WatchedTable.notifications.audience(organization: org, addressedUser: nil) == .organization(org))
        #expect(WatchedTable.bookings.audience(organization: org, addressedUser: user) == .organization(org))
    }
}
