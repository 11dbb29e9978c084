package org.govhub.operate;

import java.util.List;
import org.govhub.share.DepartmentKeyFilter;

/**
 * The hub's roles. Admin keeps accounts, grants and configuration; operator does the daily work
 * (quarantine, replay, re-send, source marks, approving requests); integrator deploys sources (upload,
 * test, preview, activate, roll back, remove); viewer reads; auditor reads the exchange log;
 * department accounts reach only the sharing API and the catalog.
 */
public final class Roles {

    public static final String ADMIN = "admin";
    public static final String OPERATOR = "operator";
    public static final String VIEWER = "viewer";
    public static final String INTEGRATOR = "integrator";
    public static final String AUDITOR = "auditor";
    public static final String DEPARTMENT = DepartmentKeyFilter.ROLE;

    /** The roles an operator account can hold (departments have API keys, not accounts). */
    public static final List<String> OF_ACCOUNTS = List.of(ADMIN, OPERATOR, INTEGRATOR, VIEWER, AUDITOR);

    /**
     * Admin can do all an operator or an integrator can, an operator all a viewer can; an integrator
     * reads only its sources, their quarantine and health (AccessRules), not Hawtio; auditor and department apart.
     */
    public static final String HIERARCHY = "ROLE_" + ADMIN + " > ROLE_" + OPERATOR + "\nROLE_" + OPERATOR + " > ROLE_" + VIEWER
            + "\nROLE_" + ADMIN + " > ROLE_" + INTEGRATOR;

    private Roles() {
    }
}
