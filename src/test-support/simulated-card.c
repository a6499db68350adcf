/*
 * A PKCS#11 module for tests that behaves like a real card middleware where SoftHSM cannot:
 * it forwards every call to the module named by SIMULATED_CARD_MODULE (SoftHSM) and, per the
 * control file named by SIMULATED_CARD_CONTROL, makes chosen calls slow (a chip takes hundreds
 * of milliseconds to check a PIN) or fail (a card pulled out answers CKR_DEVICE_REMOVED), and
 * reports other PIN lengths. It works the same from whichever thread or process calls it, and
 * appends each call, with the OS thread that made it, to the file named by SIMULATED_CARD_LOG.
 *
 * Control file, read at every call; a line per rule:
 *   generation <any word>            (counters restart, and a blocked PIN blocks again, when it changes)
 *   <C_function> <skip> <count> <delay ms> <CKR value, 0 for none>
 *                                    (calls skip+1 … skip+count; count -1: every later call)
 *   pinLength <min> <max>            (C_GetTokenInfo reports these)
 *   pinBlocked                       (a card whose PIN is blocked: C_Login as the user answers
 *                                    CKR_PIN_LOCKED until a C_InitPIN, the unblock, succeeds;
 *                                    SoftHSM itself never blocks a PIN)
 *   setPinUnblock                    (a card of OpenSC's unblock style 2, as PIV-like cards are: no
 *                                    security-officer login, CKR_USER_TYPE_INVALID; C_SetPIN in a
 *                                    session without login takes the PUK, SoftHSM's SO PIN, as the
 *                                    old PIN and sets the new user PIN)
 * Log line: "<C_function> <thread id> <process id> <start ns> <end ns> <CKR value>".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CK_PTR *
#define CK_DECLARE_FUNCTION(returnType, name) returnType name
#define CK_DECLARE_FUNCTION_POINTER(returnType, name) returnType(*name)
#define CK_CALLBACK_FUNCTION(returnType, name) returnType(*name)
#ifndef NULL_PTR
#define NULL_PTR 0
#endif
#include "pkcs11.h"

static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST wrapped;

#define MAX_RULES 16
static char generation[64];
static long counters[MAX_RULES];
/* Whether a C_InitPIN succeeded since the plan began (pinBlocked). */
static int unblocked;

struct rule {
  char name[40];
  long skip, count, delay;
  unsigned long rv;
};

/* What the control file says besides the rules: -1 for pinLength when it says none. */
struct card {
  long pin_min, pin_max;
  int pin_blocked, set_pin_unblock;
};

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The rules of the control file, and the card it describes. */
static int read_rules(struct rule *rules, struct card *card, char *gen) {
  const char *path = getenv("SIMULATED_CARD_CONTROL");
  card->pin_min = card->pin_max = -1;
  card->pin_blocked = card->set_pin_unblock = 0;
  gen[0] = 0;
  if (!path) return 0;
  FILE *file = fopen(path, "r");
  if (!file) return 0;
  int n = 0;
  char line[256];
  while (fgets(line, sizeof line, file)) {
    char word[40];
    if (sscanf(line, "%39s", word) != 1) continue;
    if (strcmp(word, "generation") == 0) {
      sscanf(line, "%*s %63s", gen);
    } else if (strcmp(word, "pinLength") == 0) {
      sscanf(line, "%*s %ld %ld", &card->pin_min, &card->pin_max);
    } else if (strcmp(word, "pinBlocked") == 0) {
      card->pin_blocked = 1;
    } else if (strcmp(word, "setPinUnblock") == 0) {
      card->set_pin_unblock = 1;
    } else if (n < MAX_RULES) {
      struct rule *r = &rules[n];
      if (sscanf(line, "%39s %ld %ld %ld %lu", r->name, &r->skip, &r->count, &r->delay, &r->rv) == 5) n++;
    }
  }
  fclose(file);
  return n;
}

static void log_call(const char *name, long long start, CK_RV rv) {
  const char *path = getenv("SIMULATED_CARD_LOG");
  if (!path) return;
  char line[160];
  int length = snprintf(line, sizeof line, "%s %ld %ld %lld %lld %lu\n", name, (long)syscall(SYS_gettid),
                        (long)getpid(), start, now_ns(), (unsigned long)rv);
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
  if (fd < 0) return;
  /* One write with O_APPEND: lines from several threads do not interleave. */
  if (write(fd, line, (size_t)length) < 0) {
  }
  close(fd);
}

/*
 * Applies the rules to a call of `name`: sleeps, and returns the CKR value to fail with (0: none).
 * `card` receives what the control file says of the card.
 */
static CK_RV before(const char *name, struct card *card) {
  struct rule rules[MAX_RULES];
  char gen[64];
  int n = read_rules(rules, card, gen);
  if (strcmp(gen, generation) != 0) {
    /* A new plan: its counters start from zero (a race here only matters to tests that race). */
    for (int i = 0; i < MAX_RULES; i++) __atomic_store_n(&counters[i], 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&unblocked, 0, __ATOMIC_SEQ_CST);
    strncpy(generation, gen, sizeof generation - 1);
  }
  for (int i = 0; i < n; i++) {
    if (strcmp(rules[i].name, name) != 0) continue;
    long call = __atomic_fetch_add(&counters[i], 1, __ATOMIC_SEQ_CST);
    if (call < rules[i].skip || (rules[i].count >= 0 && call >= rules[i].skip + rules[i].count)) continue;
    if (rules[i].delay > 0) {
      struct timespec pause = {rules[i].delay / 1000, (rules[i].delay % 1000) * 1000000L};
      nanosleep(&pause, NULL);
    }
    if (rules[i].rv != 0) return (CK_RV)rules[i].rv;
  }
  return CKR_OK;
}

#define WRAP(name, params, args)                  \
  static CK_RV w_##name params {                  \
    long long start = now_ns();                   \
    struct card card;                             \
    CK_RV rv = before(#name, &card);              \
    if (rv == CKR_OK) rv = real->name args;       \
    log_call(#name, start, rv);                   \
    return rv;                                    \
  }

WRAP(C_GetSlotList, (CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count), (present, list, count))
WRAP(C_InitToken, (CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG length, CK_UTF8CHAR_PTR label),
     (slot, pin, length, label))
WRAP(C_OpenSession, (CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR s),
     (slot, flags, app, notify, s))
WRAP(C_CloseSession, (CK_SESSION_HANDLE s), (s))
WRAP(C_CloseAllSessions, (CK_SLOT_ID slot), (slot))
WRAP(C_Logout, (CK_SESSION_HANDLE s), (s))
WRAP(C_CreateObject, (CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o), (s, t, n, o))
WRAP(C_DestroyObject, (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o), (s, o))
WRAP(C_GetAttributeValue, (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n), (s, o, t, n))
WRAP(C_SetAttributeValue, (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n), (s, o, t, n))
WRAP(C_FindObjectsInit, (CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n), (s, t, n))
WRAP(C_SignInit, (CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE key), (s, m, key))
WRAP(C_Sign, (CK_SESSION_HANDLE s, CK_BYTE_PTR data, CK_ULONG length, CK_BYTE_PTR out, CK_ULONG_PTR outLength),
     (s, data, length, out, outLength))
WRAP(C_GenerateKeyPair,
     (CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub, CK_ULONG npub, CK_ATTRIBUTE_PTR priv,
      CK_ULONG npriv, CK_OBJECT_HANDLE_PTR hpub, CK_OBJECT_HANDLE_PTR hpriv),
     (s, m, pub, npub, priv, npriv, hpub, hpriv))

static CK_RV w_C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  long long start = now_ns();
  struct card card;
  CK_RV rv = before("C_GetTokenInfo", &card);
  if (rv == CKR_OK) rv = real->C_GetTokenInfo(slot, info);
  if (rv == CKR_OK) {
    if (card.pin_min >= 0) info->ulMinPinLen = (CK_ULONG)card.pin_min;
    if (card.pin_max >= 0) info->ulMaxPinLen = (CK_ULONG)card.pin_max;
  }
  log_call("C_GetTokenInfo", start, rv);
  return rv;
}

static CK_RV w_C_Login(CK_SESSION_HANDLE s, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG length) {
  long long start = now_ns();
  struct card card;
  CK_RV rv = before("C_Login", &card);
  if (rv == CKR_OK && user == CKU_SO && card.set_pin_unblock) rv = CKR_USER_TYPE_INVALID;
  if (rv == CKR_OK && user == CKU_USER && card.pin_blocked && !__atomic_load_n(&unblocked, __ATOMIC_SEQ_CST))
    rv = CKR_PIN_LOCKED;
  if (rv == CKR_OK) rv = real->C_Login(s, user, pin, length);
  log_call("C_Login", start, rv);
  return rv;
}

static CK_RV w_C_InitPIN(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR pin, CK_ULONG length) {
  long long start = now_ns();
  struct card card;
  CK_RV rv = before("C_InitPIN", &card);
  if (rv == CKR_OK) rv = real->C_InitPIN(s, pin, length);
  if (rv == CKR_OK) __atomic_store_n(&unblocked, 1, __ATOMIC_SEQ_CST);
  log_call("C_InitPIN", start, rv);
  return rv;
}

static CK_RV w_C_SetPIN(CK_SESSION_HANDLE s, CK_UTF8CHAR_PTR old, CK_ULONG oldLength, CK_UTF8CHAR_PTR pin,
                        CK_ULONG length) {
  long long start = now_ns();
  struct card card;
  CK_RV rv = before("C_SetPIN", &card);
  CK_SESSION_INFO session;
  int public_session = 0;
  if (rv == CKR_OK && card.set_pin_unblock && real->C_GetSessionInfo(s, &session) == CKR_OK)
    public_session = session.state == CKS_RW_PUBLIC_SESSION || session.state == CKS_RO_PUBLIC_SESSION;
  if (rv == CKR_OK && public_session) {
    /* The PUK unblocks: over SoftHSM, the SO PIN sets the user PIN. */
    rv = real->C_Login(s, CKU_SO, old, oldLength);
    if (rv == CKR_OK) {
      rv = real->C_InitPIN(s, pin, length);
      real->C_Logout(s);
    }
    if (rv == CKR_OK) __atomic_store_n(&unblocked, 1, __ATOMIC_SEQ_CST);
  } else if (rv == CKR_OK) {
    rv = real->C_SetPIN(s, old, oldLength, pin, length);
  }
  log_call("C_SetPIN", start, rv);
  return rv;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (!real) {
    const char *path = getenv("SIMULATED_CARD_MODULE");
    void *library = dlopen(path ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
    if (!library) return CKR_GENERAL_ERROR;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(library, "C_GetFunctionList");
    if (!get) return CKR_GENERAL_ERROR;
    CK_FUNCTION_LIST_PTR functions;
    CK_RV rv = get(&functions);
    if (rv != CKR_OK) return rv;
    wrapped = *functions;
    wrapped.C_GetFunctionList = C_GetFunctionList;
    wrapped.C_GetSlotList = w_C_GetSlotList;
    wrapped.C_GetTokenInfo = w_C_GetTokenInfo;
    wrapped.C_InitToken = w_C_InitToken;
    wrapped.C_InitPIN = w_C_InitPIN;
    wrapped.C_SetPIN = w_C_SetPIN;
    wrapped.C_OpenSession = w_C_OpenSession;
    wrapped.C_CloseSession = w_C_CloseSession;
    wrapped.C_CloseAllSessions = w_C_CloseAllSessions;
    wrapped.C_Login = w_C_Login;
    wrapped.C_Logout = w_C_Logout;
    wrapped.C_CreateObject = w_C_CreateObject;
    wrapped.C_DestroyObject = w_C_DestroyObject;
    wrapped.C_GetAttributeValue = w_C_GetAttributeValue;
    wrapped.C_SetAttributeValue = w_C_SetAttributeValue;
    wrapped.C_FindObjectsInit = w_C_FindObjectsInit;
    wrapped.C_SignInit = w_C_SignInit;
    wrapped.C_Sign = w_C_Sign;
    wrapped.C_GenerateKeyPair = w_C_GenerateKeyPair;
    __atomic_store_n(&real, functions, __ATOMIC_SEQ_CST);
  }
  *list = &wrapped;
  return CKR_OK;
}
