package org.govhub.operate;

import org.govhub.share.DepartmentKeyFilter;

/**
 * The hub's roles. Admin keeps accounts, grants and configuration; operator does the daily work
 * (quarantine, replay, re-send, source marks, approving requests); viewer reads; auditor reads the
 * exchange log; department accounts reach only the sharing API and the catalog.
 */
public final class Roles {

    public static final String ADMIN = "admin";
    public static final String OPERATOR = "operator";
    public static final String VIEWER = "viewer";
    public static final String AUDITOR = "auditor";
    public static final String DEPARTMENT = DepartmentKeyFilter.ROLE;

    private Roles() {
    }
}
