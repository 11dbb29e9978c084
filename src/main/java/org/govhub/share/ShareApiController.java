package org.govhub.share;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.govhub.audit.ExchangeLog;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The department's own API (its API key; role department): request resources, see its requests,
 * grants and subscriptions, subscribe, read a feed, rotate its key. Everything is the calling
 * department's own; another department's subscription is 403.
 */
@RestController
@RequestMapping("/api/share")
public class ShareApiController {

    private final ShareRequests requests;
    private final Grants grants;
    private final Subscriptions subscriptions;
    private final SubscriptionFeed feed;
    private final DepartmentAccounts accounts;
    private final ExchangeLog exchangeLog;

    public ShareApiController(ShareRequests requests, Grants grants, Subscriptions subscriptions, SubscriptionFeed feed,
            DepartmentAccounts accounts, ExchangeLog exchangeLog) {
        this.exchangeLog = exchangeLog;
        this.requests = requests;
        this.grants = grants;
        this.subscriptions = subscriptions;
        this.feed = feed;
        this.accounts = accounts;
    }

    /** What a department asks for: a resource, the duty it needs it for, and optionally narrower terms or personal data in clear. */
    public record RequestBodyJson(String resource, String purpose, List<String> fields, List<String> regionPrefixes,
            List<Integer> priorityClasses, List<Catalog.Personal> inClear) {
    }

    @PostMapping("/requests")
    public ResponseEntity<Map<String, Object>> request(@RequestBody RequestBodyJson body, Principal department) {
        Map<String, Object> request = requests.request(department.getName(), body.resource(), body.purpose(),
                new GrantTerms(body.fields(), body.regionPrefixes(), body.priorityClasses(), body.inClear()));
        return ResponseEntity.status(HttpStatus.CREATED).body(request);
    }

    @GetMapping("/requests")
    public Map<String, Object> requests(Principal department) {
        return Map.of("requests", requests.list(department.getName(), null));
    }

    @GetMapping("/requests/{requestId}")
    public Map<String, Object> request(@PathVariable long requestId, Principal department) {
        Map<String, Object> request = requests.get(requestId, department.getName());
        if (request == null) {
            throw new NoSuchElementException("no request " + requestId + " of department " + department.getName());
        }
        return request;
    }

    @GetMapping("/grants")
    public Map<String, Object> grants(Principal department) {
        return Map.of("grants", grants.list(department.getName()));
    }

    public record SubscribeJson(Long grant, Subscriptions.Channel channel, String endpoint, String from) {
    }

    @PostMapping("/subscriptions")
    public ResponseEntity<Map<String, Object>> subscribe(@RequestBody SubscribeJson body, Principal department) {
        if (body.grant() == null || body.channel() == null) {
            throw new IllegalArgumentException("a subscription needs 'grant' and 'channel' (FEED, WEBHOOK or AMQP)");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(
                subscriptions.create(department.getName(), body.grant(), body.channel(), body.endpoint(), body.from()));
    }

    @GetMapping("/subscriptions")
    public Map<String, Object> subscriptions(Principal department) {
        return Map.of("subscriptions", subscriptions.list(department.getName()));
    }

    @GetMapping("/subscriptions/{subscriptionId}")
    public Map<String, Object> subscription(@PathVariable String subscriptionId, Principal department) {
        return subscriptions.describe(feed.owned(department.getName(), subscriptionId));
    }

    /** The next granted records after {@code after} (which is thereby committed), or after the last committed cursor. */
    @GetMapping("/subscriptions/{subscriptionId}/records")
    public Map<String, Object> records(@PathVariable String subscriptionId, @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit, Principal department) {
        Map<String, Object> page = feed.read(department.getName(), subscriptionId, after, limit);
        // handed over only once logged (ExchangeLog.Unavailable answers 503 and the records stay unread;
        // the cursor committed above is the department's own acknowledgement of what it read before)
        exchangeLog.append(new ExchangeLog.Event(department.getName(), "subscription pull", "subscription/" + subscriptionId,
                department.getName(), null, ExchangeLog.sha256(org.govhub.normalise.CanonicalJson.MAPPER.valueToTree(page).toString()),
                "read " + (page.get("records") instanceof java.util.Collection<?> c ? c.size() : 0) + " records"));
        return page;
    }

    /** Issues a new key and revokes the one this call was made with: rotation without an operator. */
    @PostMapping("/keys/rotate")
    public Map<String, Object> rotate(Authentication department) {
        DepartmentAccounts.Caller caller = (DepartmentAccounts.Caller) department.getDetails();
        DepartmentAccounts.IssuedKey key = accounts.issueKey(caller.departmentId());
        accounts.revokeKey(caller.departmentId(), caller.keyId());
        return Map.of("keyId", key.keyId(), "key", key.key(), "revoked", caller.keyId(),
                "note", "the key is shown only now; the key used for this call no longer works");
    }
}
