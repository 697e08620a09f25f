import Migrations
import Testing

@Suite("SQL script splitter")
struct SQLScriptTests {
    @Test("semicolons inside dollar quotes, strings, identifiers and comments do not split")
    func trickyInput() throws {
        let script = """
            -- leading comment; not a statement
            create function f() returns text language plpgsql as $body$
            begin
              return 'a;b' || $$c;d$$;  -- nested dollar quotes with another tag
            end
            $body$;
            /* outer /* nested; comment */ still comment; */
            select E'it\\'s; fine', 'it''s; fine', "odd;name" from t;

            select 1 -- trailing comment; ignored
            ;
            """
        let statements = try SQLScript.split(script)
        #expect(statements.count == 3)
        #expect(statements[0].line == 2)
        #expect(statements[0].text.hasPrefix("create function f()"))
        #expect(statements[0].text.hasSuffix("$body$"))
        #expect(statements[1].line == 8)
        #expect(statements[1].text == #"select E'it\'s; fine', 'it''s; fine', "odd;name" from t"#)
        #expect(statements[2].line == 10)
        #expect(statements[2].text == "select 1")  // a comment after the last token is not part of the statement
    }

    @Test("a statement without a final semicolon is kept; empty statements are dropped")
    func lastStatementAndEmpties() throws {
        let statements = try SQLScript.split(";;\n select 1;\n\n;select 2\n")
        #expect(statements.map(\.text) == ["select 1", "select 2"])
        #expect(statements.map(\.line) == [2, 4])
    }

    @Test("positional parameters and identifiers with dollars are not dollar quotes")
    func dollarsThatAreNotQuotes() throws {
        let statements = try SQLScript.split("prepare p as select $1; select a$b$c from t$x; select 3")
        #expect(statements.count == 3)
    }

    @Test("BEGIN ATOMIC function bodies keep their semicolons")
    func atomicBody() throws {
        let script = """
            create function g(x int) returns int language sql
            begin atomic
              select case when x > 0 then 1 else 0 end;
              select x;
            end;
            select 1;
            """
        let statements = try SQLScript.split(script)
        #expect(statements.count == 2)
        #expect(statements[0].text.hasSuffix("end"))
        #expect(statements[1].text == "select 1")
    }

    @Test("leading words skip comments and are lowercased")
    func leadingWords() throws {
        let statements = try SQLScript.split("/* why */ CREATE -- x\n INDEX Concurrently i on t (a);")
        #expect(statements[0].leadingWords.prefix(3) == ["create", "index", "concurrently"])
    }

    @Test("unterminated quotes and comments are reported with their line")
    func unterminated() {
        #expect(throws: SQLScriptError(line: 2, message: "unterminated string literal")) {
            try SQLScript.split("select 1;\nselect 'oops;\n")
        }
        #expect(throws: SQLScriptError(line: 1, message: "unterminated dollar-quoted string $f$")) {
            try SQLScript.split("do $f$ begin end $g$;")
        }
        #expect(throws: SQLScriptError(line: 3, message: "unterminated /* comment")) {
            try SQLScript.split("\n\n/* /* */")
        }
    }

    @Test("a server error position maps to the script line")
    func positionToLine() throws {
        let statements = try SQLScript.split("\n\ncreate table t (\n  a int,\n  b nosuchtype\n);")
        // position 1-based, in characters of the statement text: "b nosuchtype" is on line 5.
        let position = statements[0].text.distance(from: statements[0].text.startIndex, to: statements[0].text.range(of: "nosuchtype")!.lowerBound) + 1
        #expect(statements[0].line(atPosition: position) == 5)
    }
}
