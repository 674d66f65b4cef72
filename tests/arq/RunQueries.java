// Runs SPARQL queries with Apache Jena ARQ, strict SPARQL 1.1 syntax, on one in-memory graph.
// Java's source-file mode runs it without a build step (java -cp JENA RunQueries.java …),
// and one JVM answers every query, which the per-query `arq.sparql` command cannot.
//
// Usage: RunQueries OUT_DIR DATA_FILE... -- QUERY_FILE...
// Writes OUT_DIR/NAME.srj (SPARQL results JSON) per query, or OUT_DIR/NAME.error.
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.Syntax;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.rdf.model.ModelFactory;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        List<String> all = Arrays.asList(args);
        int split = all.indexOf("--");
        Path out = Path.of(args[0]);
        Model model = ModelFactory.createDefaultModel();
        for (String data : all.subList(1, split)) {
            RDFDataMgr.read(model, data);
        }
        for (String file : all.subList(split + 1, all.size())) {
            String name = Path.of(file).getFileName().toString().replaceAll("\\.rq$", "");
            try {
                Query query = QueryFactory.create(Files.readString(Path.of(file)), Syntax.syntaxSPARQL_11);
                try (QueryExecution exec = QueryExecutionFactory.create(query, model);
                     OutputStream stream = Files.newOutputStream(out.resolve(name + ".srj"))) {
                    if (query.isSelectType()) {
                        ResultSetFormatter.outputAsJSON(stream, exec.execSelect());
                    } else if (query.isAskType()) {
                        ResultSetFormatter.outputAsJSON(stream, exec.execAsk());
                    } else {
                        Model result = query.isConstructType() ? exec.execConstruct() : exec.execDescribe();
                        RDFDataMgr.write(stream, result, Lang.NTRIPLES);
                    }
                }
            } catch (Exception error) {
                Files.deleteIfExists(out.resolve(name + ".srj"));
                Files.writeString(out.resolve(name + ".error"), String.valueOf(error), StandardCharsets.UTF_8);
            }
        }
    }
}
