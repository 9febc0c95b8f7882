/* schema.h: the forward migrations of the database (internal to db.c). */
#ifndef CRM_SCHEMA_H
#define CRM_SCHEMA_H

/* crm_schema_migrations[i] brings a database from user_version i to i+1. */
extern const char *const crm_schema_migrations[];
extern const int crm_schema_nmigrations;

#endif
