package org.govhub.ingest;

import org.apache.camel.Exchange;
import org.govhub.normalise.NormalisedRecord;

/**
 * Reads one item a source hands over (a database row, a file's line, an API's item) into its
 * normalised record: valid, or with its reasons for the quarantine. The exchange is the source's
 * unit of work (its source id, mapping, file or page). routes/record-publishing.yaml names the
 * source's reader in the property {@value #PROPERTY}.
 */
public interface RowReader {

    /** The exchange property naming the bean that reads the source's rows. */
    String PROPERTY = "govhubRowReader";

    NormalisedRecord read(Object row, Exchange exchange);
}
