/* banned.h: functions with a safer replacement in libcrm.
 * Included last by every .c file; using one is a compile error. */
#ifndef CRM_BANNED_H
#define CRM_BANNED_H

#define CRM_BANNED(f) sorry_##f##_is_banned_use_the_crm_replacement

#undef strcpy
#define strcpy(a, b) CRM_BANNED(strcpy)
#undef strcat
#define strcat(a, b) CRM_BANNED(strcat)
#undef sprintf
#define sprintf(...) CRM_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CRM_BANNED(vsprintf)
#undef strtok
#define strtok(a, b) CRM_BANNED(strtok)
#undef gets
#define gets(a) CRM_BANNED(gets)
#undef atoi
#define atoi(a) CRM_BANNED(atoi)
#undef atol
#define atol(a) CRM_BANNED(atol)

#endif
